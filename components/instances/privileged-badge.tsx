import type { Instance } from "@/lib/core/types";

/** What a privileged container gives up, in the words the badge's title and the launch form share. */
export const PRIVILEGED_MEANING =
  "Root on the host: container root is host root (no user namespace), no seccomp filter, every capability Isolab holds, no no_new_privs, /proc and /sys unmasked. Only the namespaces and the cgroup are left.";

/** A red mark on a privileged container, on its card and its page. */
export function PrivilegedBadge({ instance }: { instance: Instance }) {
  if (!instance.privileged) return null;
  return (
    <span className="badge privileged" title={PRIVILEGED_MEANING} data-testid="privileged">
      privileged: root on the host
    </span>
  );
}
