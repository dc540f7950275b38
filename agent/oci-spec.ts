/**
 * The OCI runtime-spec config.json the agent writes for each container instance (pure). Like a
 * CRI runtime's defaults: new pid, ipc, uts and mount namespaces; the host's network namespace
 * (pods share the host network, as with the process runtime); Docker's default capability set;
 * the usual /proc, /dev, /sys mounts and masked paths; volumes bind-mounted at their mountPath.
 */
export interface OciMount {
  readonly destination: string;
  readonly source: string;
  readonly readOnly: boolean;
}

export interface OciSpecInput {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids: readonly number[] };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  /** runc: a relative path, nested under the cgroup the wrapper joined. Omitted for crun (which leaves cgroups to us). */
  readonly cgroupsPath?: string;
}

/** containerd's and Docker's default capabilities for a container (CRI's default set). */
export const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

const maskedPaths = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'];
const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function ociSpec(input: OciSpecInput): Record<string, unknown> {
  const capabilities = [...defaultCapabilities];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length === 0 ? {} : { additionalGids: input.user.additionalGids }) },
      args: input.args,
      env: Object.entries(input.env).map(([name, value]) => `${name}=${value}`),
      cwd: input.cwd,
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      // Kubernetes' default allowPrivilegeEscalation: true. No rlimits: the agent's are inherited
      // (raising them needs CAP_SYS_RESOURCE, which a host may not grant).
      noNewPrivileges: false,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: input.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...input.mounts.map((mount) => ({ destination: mount.destination, type: 'bind', source: mount.source, options: ['rbind', 'rprivate', mount.readOnly ? 'ro' : 'rw'] })),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths,
      readonlyPaths,
      ...(input.cgroupsPath === undefined ? {} : { cgroupsPath: input.cgroupsPath }),
    },
  };
}
