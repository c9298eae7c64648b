/**
 * The Kubernetes Pod Security Standards, "restricted" profile (which includes "baseline"), as the
 * admission controller applies them to a pod template: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * Returns one line per violation; an empty list means the pod would be admitted.
 */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];

export function restrictedViolations(podSpec: any): string[] {
  const v: string[] = [];
  const pod = podSpec.securityContext ?? {};
  const containers: any[] = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? []), ...(podSpec.ephemeralContainers ?? [])];

  // Baseline.
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (podSpec[field]) v.push(`${field} is true`);
  for (const vol of podSpec.volumes ?? []) if (vol.hostPath) v.push(`volume ${vol.name} is a hostPath`);
  for (const s of pod.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) v.push(`sysctl ${s.name} is not safe`);
  if (pod.seccompProfile?.type === 'Unconfined') v.push('pod seccompProfile is Unconfined');

  // Restricted.
  for (const vol of podSpec.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.includes(type)) v.push(`volume ${vol.name} has type ${type}`);
  }
  if (pod.runAsUser === 0) v.push('pod runAsUser is 0');

  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const name = `container ${c.name}`;
    if (sc.privileged) v.push(`${name} is privileged`);
    for (const port of c.ports ?? []) if (port.hostPort) v.push(`${name} uses hostPort ${port.hostPort}`);
    for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.includes(cap)) v.push(`${name} adds capability ${cap}`);
    if (sc.procMount && sc.procMount !== 'Default') v.push(`${name} procMount is ${sc.procMount}`);
    if (sc.seccompProfile?.type === 'Unconfined') v.push(`${name} seccompProfile is Unconfined`);

    if (sc.allowPrivilegeEscalation !== false) v.push(`${name} does not set allowPrivilegeEscalation: false`);
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && pod.runAsNonRoot === true))) v.push(`${name} is not runAsNonRoot`);
    if (sc.runAsUser === 0) v.push(`${name} runAsUser is 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${name} has no RuntimeDefault or Localhost seccomp profile`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${name} does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') v.push(`${name} adds capability ${cap}`);
  }
  return v;
}
