// Socket and TLS failures explained in terms of what the user can do about them.

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** One sentence (or two) explaining why `url` could not be reached, from a Node network error. */
export function describeConnectionError(err: { code?: unknown; message: string }, url: string): string {
  const code = typeof err.code === 'string' ? err.code : '';
  if (TLS_TRUST_CODES.has(code)) {
    return (
      `cannot verify the TLS certificate of ${url} (${code}): the server probably uses its self-signed certificate. ` +
      'Pass --ca-file <data-dir>/tls/cert.pem to trust it, or --insecure to skip verification'
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the TLS certificate of ${url} is not issued for this host name (${err.message}): use the host name in the certificate, or --insecure`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `the TLS certificate of ${url} is not valid now (${code}): renew it on the server, or pass --insecure`;
  }
  if (code === 'ECONNREFUSED')
    return `cannot connect to ${url}: connection refused (is the server running on that port?)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `cannot connect to ${url}: the host name does not resolve`;
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return `the connection to ${url} was closed unexpectedly (${code}): is it a Capstan server, and is the scheme (https/http) right?`;
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL')) {
    return `TLS handshake with ${url} failed (${err.message}): is it an HTTPS port, and is the scheme right?`;
  }
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return `cannot connect to ${url}: ${code === 'ETIMEDOUT' ? 'timed out' : 'host unreachable'}`;
  }
  return `cannot talk to ${url}: ${err.message}${code ? ` (${code})` : ''}`;
}
