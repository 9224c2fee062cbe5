// The rig drives real system tools; on a fresh Debian machine it installs them once (as root) so a
// test file works without scripts/test.sh having run first.
import { spawnSync } from 'node:child_process';

// busybox is checked as the package: only the static build runs alone inside an image.
const NEEDED: Array<[command: string, debianPackage: string]> = [
  ['dockerd', 'docker.io'],
  ['docker', 'docker.io'],
  ['busybox-static', 'busybox-static'],
  ['iptables', 'iptables'],
  ['nsenter', 'util-linux'],
  ['ip', 'iproute2'],
];

let checked = false;

function has(command: string): boolean {
  if (command === 'busybox-static') return spawnSync('dpkg', ['-s', 'busybox-static'], { stdio: 'ignore' }).status === 0;
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Makes sure dockerd, docker, busybox, iptables, nsenter and ip exist (apt-get when root); throws otherwise. */
export function ensureTools(): void {
  if (checked) return;
  if (process.getuid?.() !== 0) throw new Error('the multi-host rig needs root (network namespaces, dockerd, iptables)');
  const missing = [...new Set(NEEDED.filter(([c]) => !has(c)).map(([, p]) => p))];
  if (missing.length > 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'pipe', env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed: ${r.stderr}`);
  }
  const still = NEEDED.filter(([c]) => !has(c)).map(([c]) => c);
  if (still.length > 0) throw new Error(`missing tools for the rig: ${still.join(', ')}`);
  checked = true;
}
