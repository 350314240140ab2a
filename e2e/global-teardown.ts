import { E2E_STATE_DIR } from "./e2e-env";
import { removeTemplateRam } from "../scripts/testing/template-ram";

// After every spec: the templates' RAM files the e2e server's templated VMs
// left on /dev/shm (Figure 2.1's clones, density runs with vm-template),
// 128 MiB of tmpfs each, kept by the server for its next templated start
// but not wanted after a test run. Playwright runs this before it stops the
// web server; unlinking is safe then (a clone still running keeps its
// mapping, and the server's next templated start would rebuild the file).
export default function globalTeardown(): void {
  const removed = removeTemplateRam(E2E_STATE_DIR);
  if (removed.length) console.log(`e2e teardown: removed ${removed.length} template RAM file(s) of ${E2E_STATE_DIR}: ${removed.join(", ")}`);
}
