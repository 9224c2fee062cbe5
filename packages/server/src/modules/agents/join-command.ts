// The shell lines a join token comes with: download + verify + run the bundled agent, or run its image.
import { AGENT_NODE_OPTIONS, CAPSTAN_VERSION } from '@capstan/protocol';
import { AGENT_BUNDLE_NAME } from './agent-bundle.ts';

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes a word for POSIX shells (only when it needs it). */
export function shellQuote(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Stands in for the bundle's SHA-256 while the server has no bundle: the download fails first (503). */
const NO_BUNDLE_SHA256 = '0'.repeat(64);

/**
 * The lines that start the agent on a host, each one shell line that works pasted as is (sh or bash):
 * `command` downloads the bundled agent from the server, checks it against the SHA-256 it embeds and
 * runs it with node; `dockerCommand` runs the capstan/agent image on the engine the docker CLI talks
 * to (DOCKER_HOST, else /var/run/docker.sock), in the host's network like the plain variant. Both
 * carry `--mode async` for an async environment.
 */
export function agentCommands(
  serverUrl: string,
  token: string,
  serverFingerprint: string | null = null,
  bundleSha256: string | null = null,
  mode: 'standard' | 'async' = 'standard',
): { command: string; dockerCommand: string } {
  // With the self-signed certificate the command carries its fingerprint, so it works pasted as is.
  const pin = serverFingerprint ? ` --server-fingerprint ${serverFingerprint}` : '';
  // An async environment's agent starts polling at once instead of trying the tunnel first.
  const async = mode === 'async' ? ' --mode async' : '';
  const args = `--server ${shellQuote(serverUrl)} --join-token ${shellQuote(token)}${pin}${async}`;
  // curl skips chain verification only for the self-signed certificate, and only because the next step
  // checks the downloaded file against the hash this line carries (the agent then pins the certificate).
  const insecure = serverFingerprint ? 'k' : '';
  const download = `curl -fsS${insecure} -o ${AGENT_BUNDLE_NAME} ${shellQuote(`${serverUrl}/api/agents/${AGENT_BUNDLE_NAME}`)}`;
  const verify = `echo ${shellQuote(`${bundleSha256 ?? NO_BUNDLE_SHA256}  ${AGENT_BUNDLE_NAME}`)} | sha256sum -c`;
  return {
    command: `${download} && ${verify} && node ${[...AGENT_NODE_OPTIONS, AGENT_BUNDLE_NAME].join(' ')} ${args}`,
    dockerCommand:
      'sock=${DOCKER_HOST:-unix:///var/run/docker.sock}; docker run -d --name capstan-agent --restart unless-stopped --network host ' +
      `-v "\${sock#unix://}:/var/run/docker.sock" -v capstan-agent:/var/lib/capstan-agent capstan/agent:${CAPSTAN_VERSION} ${args}`,
  };
}
