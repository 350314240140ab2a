// Local image references: `name[:tag]`, name as Docker spells repositories
// (lowercase components joined by `/`), tag as Docker spells tags. Names never
// become file paths in Isolab (the store keys files by digest), but a name
// with a host in front (`127.0.0.1:5000/x`) is a registry's, not a local one.

export const DEFAULT_TAG = "latest";
/** The image scripts/build-image.sh builds; its `latest` tag is Isolab's own. */
export const BUILT_IN_IMAGE = "probe";

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
export const IMAGE_NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_NAME = 128;

export interface ImageRefParts {
  name: string;
  tag: string;
}

/** "hello" → hello:latest; "isolab/hello:1.0" → isolab/hello:1.0; null when it is not a local reference. */
export function parseImageRef(ref: string): ImageRefParts | null {
  const colon = ref.lastIndexOf(":");
  const slash = ref.lastIndexOf("/");
  const hasTag = colon > slash;
  const name = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : DEFAULT_TAG;
  if (name.length === 0 || name.length > MAX_NAME || !IMAGE_NAME_RE.test(name) || !TAG_RE.test(tag)) return null;
  return { name, tag };
}

export function formatImageRef({ name, tag }: ImageRefParts): string {
  return `${name}:${tag}`;
}

/** The canonical `name:tag` of a reference, or null. */
export function canonicalRef(ref: string): string | null {
  const p = parseImageRef(ref);
  return p ? formatImageRef(p) : null;
}

export function isBuiltInRef(ref: string): boolean {
  return canonicalRef(ref) === `${BUILT_IN_IMAGE}:${DEFAULT_TAG}`;
}

/**
 * A reference found inside an archive (a docker RepoTag such as
 * `docker.io/library/hello:1`, an OCI ref.name such as `hello:1` or just `1`)
 * as a local one: the registry host and Docker Hub's `library/` dropped.
 * null when nothing usable is left.
 */
export function localRefFromArchive(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let rest = raw.trim();
  const at = rest.indexOf("@");
  if (at >= 0) rest = rest.slice(0, at);
  const first = rest.split("/")[0];
  if (rest.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
    rest = rest.slice(first.length + 1);
  }
  if (rest.startsWith("library/")) rest = rest.slice("library/".length);
  return canonicalRef(rest.toLowerCase() === rest ? rest : rest.replace(/^[^:]+/, (n) => n.toLowerCase()));
}

/** A name made from a file name: "My App_v2.tar.gz" → "my-app_v2". */
export function nameFromFileName(file: string): string {
  const base = file.replace(/^.*[\\/]/, "").replace(/(\.(tar|tgz|gz|oci|docker))+$/i, "");
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .replace(/[._-]{2,}/g, "-");
  return IMAGE_NAME_RE.test(cleaned) && cleaned.length <= MAX_NAME ? cleaned : "imported";
}

/** Repository path in a registry: the same grammar as a local name. */
export function isRepositoryName(s: string): boolean {
  return s.length > 0 && s.length <= 255 && IMAGE_NAME_RE.test(s);
}
