import { howManyFit } from "@/lib/core/linear-fit";
import { GIB, MIB, hostReserveBytes } from "@/lib/host/memory-guard";

// The planner: given a workload's memory and the measured per-instance
// overhead of each kind, how many fit on a host of X GiB as containers vs
// as VMs. Pure arithmetic with its assumptions spelled out; table-tested.

export interface PlannerInput {
  hostGiB: number;
  /** What one copy of the application itself needs, MiB. */
  workloadMiB: number;
  /** Measured host memory one more idle container costs (density experiment), MiB. */
  containerOverheadMiB: number;
  /** Measured host memory one more idle VM costs: its guest kernel, init and QEMU, MiB. */
  vmOverheadMiB: number;
  /** Applications grouped into one VM (teams do this because VMs are costly; one app per container). */
  appsPerVm: number;
  /** Templated VMs: the template's RAM file, paid once per host before the first clone (0 or absent: cold VMs), MiB. */
  templateMiB?: number;
}

export interface PlannedKind {
  /** Host memory one instance costs with its workload(s), MiB. */
  perInstanceMiB: number;
  /** null when the cost is not a positive number (nothing to divide by). */
  instances: number | null;
  apps: number | null;
}

export interface PlannerResult {
  hostMiB: number;
  /** Kept free as on the experiments: max(20 % of memory, 2 GiB). */
  reserveMiB: number;
  usableMiB: number;
  containers: PlannedKind;
  vms: PlannedKind;
  /** Applications as containers / applications in VMs; null when no VM fits. */
  appsRatio: number | null;
  assumptions: string[];
}

export function planCapacity(input: PlannerInput): PlannerResult {
  const hostMiB = Math.max(0, (input.hostGiB * GIB) / MIB);
  const reserveMiB = hostReserveBytes(input.hostGiB * GIB) / MIB;
  const usableMiB = Math.max(0, hostMiB - reserveMiB);
  const templateMiB = Math.max(0, input.templateMiB ?? 0);
  const appsPerVm = Math.max(1, Math.floor(input.appsPerVm));
  const kind = (perInstanceMiB: number, appsEach: number): PlannedKind => {
    const instances = howManyFit(usableMiB, perInstanceMiB);
    return { perInstanceMiB, instances, apps: instances === null ? null : instances * appsEach };
  };
  const containers = kind(input.workloadMiB + input.containerOverheadMiB, 1);
  const vmInstances = howManyFit(Math.max(0, usableMiB - templateMiB), appsPerVm * input.workloadMiB + input.vmOverheadMiB);
  const vms: PlannedKind = {
    perInstanceMiB: appsPerVm * input.workloadMiB + input.vmOverheadMiB,
    instances: vmInstances,
    apps: vmInstances === null ? null : vmInstances * appsPerVm,
  };
  const appsRatio = containers.apps !== null && vms.apps ? containers.apps / vms.apps : null;
  return {
    hostMiB,
    reserveMiB,
    usableMiB,
    containers,
    vms,
    appsRatio,
    assumptions: [
      `Usable memory is the host's ${Math.round(hostMiB)} MiB minus a reserve of ${Math.round(reserveMiB)} MiB (the larger of 20 % and 2 GiB), as the experiments keep.`,
      "Memory is the binding resource; CPU, disk and network are not counted.",
      "Each instance costs its workload's memory plus the measured idle overhead of its kind; the workload's memory is the same in either kind.",
      `A VM's guest memory is sized to hold its ${appsPerVm === 1 ? "workload" : `${appsPerVm} workloads`}; guest pages never touched cost the host nothing, so the untouched rest of the guest is not counted.`,
      "One application per container; containers share the host kernel, so there is no per-container operating system to pay for.",
      ...(templateMiB > 0
        ? [
            `VMs are template clones: the template's ${Math.round(templateMiB)} MiB RAM file is paid once, and each clone's overhead is what it writes; every clone starts with the template's memory contents (and secrets).`,
          ]
        : []),
    ],
  };
}
