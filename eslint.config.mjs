// Lint for Isolab: Next.js's recommended rules (React, hooks, a11y, Core Web
// Vitals), typescript-eslint's recommended set, and import rules that keep the
// layers apart (lib pure; the browser side never reaches the server, the server
// never reaches UI code). Formatting belongs to Prettier: eslint-config-prettier
// comes last and turns off every rule that would fight it.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import prettier from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

// Folders the browser, the server and the pure library live in, for
// import/no-restricted-paths (it resolves "@/…" and relative paths alike, so
// "../../server/x" is caught as surely as "@/server/x").
const UI = ["./components", "./client"];
const SERVER = ["./server"];

// Packages that only make sense in a Node process or a React tree.
const NOT_PURE_PACKAGES = [
  { name: "react", message: "lib/ is pure: React code lives in components/ or client/." },
  { name: "react-dom", message: "lib/ is pure: React code lives in components/ or client/." },
  { name: "next", message: "lib/ is pure: framework code lives in app/ or server/." },
  { name: "server-only", message: "lib/ is pure and importable from both sides; server code lives in server/." },
  { name: "@tanstack/react-query", message: "lib/ is pure: browser hooks live in client/." },
  { name: "recharts", message: "lib/ is pure: charts live in components/." },
  { name: "better-sqlite3", message: "lib/ is pure: storage lives in server/store." },
  { name: "systeminformation", message: "lib/ is pure: reading the host lives in server/." },
];

export default defineConfig([
  ...nextVitals,
  // typescript-eslint's recommended set as it stands (eslint-config-next's
  // "typescript" preset is the same set with unused code downgraded to warnings).
  ...tseslint.configs.recommended,

  {
    name: "isolab/project-habits",
    rules: {
      // The recommended rule, plus the code's habit: a leading underscore marks
      // a binding that is unused on purpose (an it.each row's label, a
      // callback parameter a signature requires, a field destructured away).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },

  {
    name: "isolab/playwright-fixtures",
    // A Playwright fixture hands its value on through a callback named `use`;
    // it is not React's use(), and no file under e2e/ renders React.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },

  {
    name: "isolab/layers",
    files: ["**/*.{ts,tsx,js,mjs}"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: "./lib", from: [...SERVER, ...UI, "./app"], message: "lib/ is pure: it imports only lib/ and pure packages." },
            { target: UI, from: SERVER, message: "components/ and client/ run in the browser: reach the server through app/api, never by importing server/." },
            { target: SERVER, from: UI, message: "server/ is server-only: it never imports UI code (components/, client/)." },
          ],
        },
      ],
    },
  },
  {
    name: "isolab/lib-is-pure",
    files: ["lib/**"],
    rules: {
      "import/no-nodejs-modules": "error",
      "no-restricted-imports": [
        "error",
        {
          paths: NOT_PURE_PACKAGES,
          patterns: [{ group: ["react/*", "react-dom/*", "next/*"], message: "lib/ is pure: no React or framework code." }],
        },
      ],
    },
  },
  {
    name: "isolab/lib-tests-may-use-the-host",
    // A test of a pure module may check its output with the host's tools (run a
    // generated script through sh, metrics text through promtool); the module
    // under test stays pure, which the rule above still checks.
    files: ["lib/**/*.test.ts"],
    rules: { "import/no-nodejs-modules": "off" },
  },

  prettier,

  globalIgnores([
    ".next/**",
    "node_modules/**",
    ".isolab/**",
    "e2e/artifacts/**",
    "guest/build/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
]);
