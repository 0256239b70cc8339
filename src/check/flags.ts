/**
 * The kernel flags `tk check` reads: the union of what moby's
 * contrib/check-config.sh checks (as of UPSTREAM_REVISION below) and what the
 * older copy Debian ships checks (aufs, devicemapper, RT_GROUP_SCHED). Each
 * says why the engine wants it and how much its absence matters, and for
 * which kernels upstream asks for it. docs/check.md explains each group and
 * every place tk judges differently.
 */
import {compareKernel, type KernelVersion} from './kernel-config.js'

export type CheckGroup = 'kernel' | 'necessary' | 'optional' | 'network' | 'storage' | 'limits'

/**
 * required: the engine does not work without it.
 * required-v1 / required-v2: needed under that cgroup hierarchy only.
 * optional: its absence disables a feature; a warning.
 */
export type Severity = 'required' | 'required-v1' | 'required-v2' | 'optional'

export interface FlagSpec {
  flag: string
  group: CheckGroup
  /** The engine feature it belongs to, e.g. "overlay network", "btrfs". */
  feature?: string
  severity: Severity
  /** For which kernel versions check-config.sh asks for it. */
  applies?: (version: KernelVersion) => boolean
  /** What goes wrong without it. */
  why: string
}

/**
 * The revision of moby's contrib/check-config.sh whose flags, groups and
 * version gates this table follows; the oracle test runs that very revision
 * (test/fixtures/check-config-upstream/).
 */
export const UPSTREAM_REVISION = {commit: 'a4c5b2be6f69f86fe7b13eb4822676f8d273cf8b', date: '2026-06-16'} as const

const below = (major: number, minor: number) => (v: KernelVersion) => compareKernel(v, major, minor) < 0
const atMost = (major: number, minor: number) => (v: KernelVersion) => compareKernel(v, major, minor) <= 0
const atLeast = (major: number, minor: number) => (v: KernelVersion) => compareKernel(v, major, minor) >= 0

const necessary = (flag: string, why: string, severity: Severity = 'required', applies?: FlagSpec['applies']): FlagSpec => ({
  flag,
  group: 'necessary',
  severity,
  applies,
  why,
})
const optional = (flag: string, why: string, applies?: FlagSpec['applies']): FlagSpec => ({flag, group: 'optional', severity: 'optional', applies, why})
const network = (feature: string, flag: string, why: string, applies?: FlagSpec['applies']): FlagSpec => ({
  flag,
  group: 'network',
  feature,
  severity: 'optional',
  applies,
  why,
})
const storage = (feature: string, flag: string, why: string): FlagSpec => ({flag, group: 'storage', feature, severity: 'optional', why})

const NAMESPACE = 'containers are isolated by kernel namespaces'
const NETFILTER = 'dockerd programs iptables for container networking and published ports'
const IPV6 = 'needed for IPv6 container networks (ip6tables)'
const SWARM_LB = 'only swarm service load balancing (IPVS) needs it'
const ENCRYPTED = 'needed for encrypted overlay networks only'
// Docker 29 can program nftables instead of iptables (firewall-backend: nftables).
// The iptables backend needs only NF_TABLES, and only where iptables is
// iptables-nft (Debian's default since 10), which programs through it.
const NFTABLES = 'for the nftables firewall backend (firewall-backend: nftables)'

export const FLAGS: FlagSpec[] = [
  {flag: '64BIT', group: 'kernel', severity: 'required', why: 'the Docker engine runs on 64-bit kernels only'},

  necessary('NAMESPACES', NAMESPACE),
  necessary('NET_NS', NAMESPACE),
  necessary('PID_NS', NAMESPACE),
  necessary('IPC_NS', NAMESPACE),
  necessary('UTS_NS', NAMESPACE),
  necessary('CGROUPS', 'resource limits and accounting use control groups'),
  necessary('CGROUP_CPUACCT', 'cgroup v1 CPU accounting controller', 'required-v1'),
  necessary('CGROUP_DEVICE', 'cgroup v1 device access control for containers', 'required-v1'),
  necessary('CGROUP_FREEZER', 'cgroup v1 freezer, used by docker pause', 'required-v1'),
  necessary('CGROUP_SCHED', 'CPU shares and quotas for containers'),
  necessary('CPUSETS', 'the cpuset controller (--cpuset-cpus); runc expects it'),
  necessary('MEMCG', 'the memory controller: memory limits and accounting'),
  necessary('KEYS', 'each container gets its own session keyring'),
  necessary('VETH', 'virtual ethernet pairs connect containers to bridges'),
  necessary('BRIDGE', 'the default docker0 bridge network'),
  necessary('BRIDGE_NETFILTER', 'iptables rules must see bridged traffic'),
  necessary('IP_NF_FILTER', NETFILTER),
  necessary('IP_NF_MANGLE', 'the mangle table, used for marking overlay and swarm traffic', 'optional'),
  necessary('IP_NF_TARGET_MASQUERADE', 'outbound NAT for containers'),
  necessary('IP6_NF_FILTER', IPV6, 'optional'),
  necessary('IP6_NF_MANGLE', IPV6, 'optional'),
  necessary('IP6_NF_TARGET_MASQUERADE', IPV6, 'optional'),
  necessary('NETFILTER_XT_MATCH_ADDRTYPE', 'published ports match on local addresses'),
  necessary('NETFILTER_XT_MATCH_CONNTRACK', 'return traffic to containers is matched by connection state'),
  necessary('NETFILTER_XT_MATCH_IPVS', SWARM_LB, 'optional'),
  necessary('NETFILTER_XT_MARK', 'packet marks, used by overlay networks and swarm ingress', 'optional'),
  necessary('IP_NF_RAW', 'the raw table, which newer engines use to drop direct access to container addresses', 'optional'),
  necessary('IP_NF_NAT', 'port publishing and outbound NAT'),
  necessary('NF_NAT', 'port publishing and outbound NAT'),
  necessary('IP6_NF_RAW', IPV6, 'optional'),
  necessary('IP6_NF_NAT', IPV6, 'optional'),
  necessary('POSIX_MQUEUE', 'bind-mounting /dev/mqueue into containers'),
  necessary('DEVPTS_MULTIPLE_INSTANCES', 'a private /dev/pts per container (kernels before 4.8)', 'required', below(4, 8)),
  necessary('NF_NAT_IPV4', 'IPv4 NAT (kernels up to 5.1)', 'required', atMost(5, 1)),
  necessary('NF_NAT_NEEDED', 'NAT helpers (kernels up to 5.2)', 'required', atMost(5, 2)),
  necessary('CGROUP_BPF', 'device access control under cgroup v2 is done with BPF programs (kernels 4.15 and newer)', 'required-v2', atLeast(4, 15)),

  optional('USER_NS', 'user namespaces: userns-remap and rootless mode'),
  optional('SECCOMP', 'the default seccomp profile that filters dangerous system calls'),
  optional('SECCOMP_FILTER', 'the default seccomp profile that filters dangerous system calls'),
  optional('CGROUP_PIDS', 'process-count limits (--pids-limit)'),
  // From 5.8 swap accounting is part of MEMCG: upstream stops asking for both
  // (evaluate.ts then reports MEMCG_SWAP as a note). Debian's copy asks for
  // MEMCG_SWAP on every kernel and for MEMCG_SWAP_ENABLED up to 5.8 itself.
  optional('MEMCG_SWAP', 'swap limits (--memory-swap; kernels before 5.8)', below(5, 8)),
  optional('MEMCG_SWAP_ENABLED', 'swap accounting on by default (kernels before 5.8)', below(5, 8)),
  optional('MEMCG_KMEM', 'kernel memory accounting (kernels up to 4.5)', atMost(4, 5)),
  optional('RESOURCE_COUNTERS', 'resource counters (kernels up to 3.18)', atMost(3, 18)),
  optional('IOSCHED_CFQ', 'block I/O weights (kernels before 5.0)', below(5, 0)),
  optional('CFQ_GROUP_IOSCHED', 'block I/O weights (kernels before 5.0)', below(5, 0)),
  optional('BLK_CGROUP', 'block I/O limits (--blkio-weight, --device-read-bps)'),
  optional('BLK_DEV_THROTTLING', 'block I/O throttling (--device-read-bps and friends)'),
  optional('CGROUP_PERF', 'perf monitoring of containers'),
  optional('CGROUP_HUGETLB', 'huge page limits'),
  optional('NET_CLS_CGROUP', 'network classification of container traffic'),
  optional('NETPRIO_CGROUP', 'network priority of container traffic (kernels up to 3.13)', atMost(3, 13)),
  optional('CGROUP_NET_PRIO', 'network priority of container traffic (kernels after 3.13)', (v) => compareKernel(v, 3, 13) > 0),
  optional('CFS_BANDWIDTH', 'CPU quotas (--cpus, --cpu-quota)'),
  optional('FAIR_GROUP_SCHED', 'CPU shares between containers'),
  optional('RT_GROUP_SCHED', 'real-time CPU scheduling for containers (--cpu-rt-runtime)'),
  optional('IP_NF_TARGET_REDIRECT', 'port redirection, used by swarm and some network plugins'),
  optional('IP_SCTP', 'SCTP in containers, and publishing SCTP ports (-p 9000:9000/sctp)'),
  optional('IP_VS', SWARM_LB),
  optional('IP_VS_NFCT', SWARM_LB),
  optional('IP_VS_PROTO_TCP', SWARM_LB),
  optional('IP_VS_PROTO_UDP', SWARM_LB),
  optional('IP_VS_RR', SWARM_LB),
  optional('SECURITY_SELINUX', 'SELinux labels for containers (--selinux-enabled)'),
  optional('SECURITY_APPARMOR', 'AppArmor profiles for containers'),
  optional('NFT_CT', `connection-state matches ${NFTABLES}`),
  optional('NFT_FIB_IPV4', `IPv4 route lookups (local-address matches) ${NFTABLES}`),
  optional('NFT_FIB_IPV6', `IPv6 route lookups (local-address matches) ${NFTABLES}`),
  optional('NFT_FIB', `route lookups (local-address matches) ${NFTABLES}`),
  optional('NFT_MASQ', `outbound NAT (masquerade) ${NFTABLES}`),
  optional('NFT_NAT', `port publishing (DNAT) ${NFTABLES}`),
  optional('NF_TABLES', `nftables itself: the nftables firewall backend, and iptables-nft (Debian's iptables) under the iptables one`),
  optional('EXT4_FS', 'ext4 as the filesystem under /var/lib/docker'),
  optional('EXT4_FS_POSIX_ACL', 'ext4 as the filesystem under /var/lib/docker'),
  optional('EXT4_FS_SECURITY', 'ext4 as the filesystem under /var/lib/docker'),

  network('overlay network', 'VXLAN', 'multi-host overlay networks'),
  network('overlay network', 'BRIDGE_VLAN_FILTERING', 'multi-host overlay networks'),
  network('encrypted overlay network', 'CRYPTO', ENCRYPTED),
  network('encrypted overlay network', 'CRYPTO_AEAD', ENCRYPTED),
  network('encrypted overlay network', 'CRYPTO_GCM', ENCRYPTED),
  network('encrypted overlay network', 'CRYPTO_SEQIV', ENCRYPTED),
  network('encrypted overlay network', 'CRYPTO_GHASH', ENCRYPTED),
  network('encrypted overlay network', 'XFRM', ENCRYPTED),
  network('encrypted overlay network', 'XFRM_USER', ENCRYPTED),
  network('encrypted overlay network', 'XFRM_ALGO', ENCRYPTED),
  network('encrypted overlay network', 'INET_ESP', ENCRYPTED),
  network('encrypted overlay network', 'NETFILTER_XT_MATCH_BPF', ENCRYPTED),
  network('encrypted overlay network', 'INET_XFRM_MODE_TRANSPORT', ENCRYPTED, atMost(5, 3)),
  network('ipvlan', 'IPVLAN', 'the ipvlan network driver'),
  network('macvlan', 'MACVLAN', 'the macvlan network driver'),
  network('macvlan', 'DUMMY', 'the macvlan network driver'),
  network('ftp,tftp client in container', 'NF_NAT_FTP', 'FTP and TFTP clients behind NAT'),
  network('ftp,tftp client in container', 'NF_CONNTRACK_FTP', 'FTP and TFTP clients behind NAT'),
  network('ftp,tftp client in container', 'NF_NAT_TFTP', 'FTP and TFTP clients behind NAT'),
  network('ftp,tftp client in container', 'NF_CONNTRACK_TFTP', 'FTP and TFTP clients behind NAT'),

  storage('overlay2', 'OVERLAY_FS', 'the overlay2 storage driver, the default'),
  storage('btrfs', 'BTRFS_FS', 'the btrfs storage driver (with /var/lib/docker on btrfs)'),
  storage('btrfs', 'BTRFS_FS_POSIX_ACL', 'the btrfs storage driver (with /var/lib/docker on btrfs)'),
  storage('aufs', 'AUFS_FS', 'the aufs storage driver (legacy: removed in Docker 24.0)'),
  storage('devicemapper', 'BLK_DEV_DM', 'the devicemapper storage driver (legacy: removed in Docker 25.0)'),
  storage('devicemapper', 'DM_THIN_PROVISIONING', 'the devicemapper storage driver (legacy: removed in Docker 25.0)'),
]

/** ext3 flags, checked (as check-config.sh does) only when ext4 does not serve ext2/3. */
export const EXT3_FLAGS: FlagSpec[] = ['EXT3_FS', 'EXT3_FS_XATTR', 'EXT3_FS_POSIX_ACL', 'EXT3_FS_SECURITY'].map((flag) =>
  optional(flag, 'ext3 as the filesystem under /var/lib/docker'),
)
