// Reading a Docker engine directly on its socket, past Capstan, to check what really happened there.
import http from 'node:http';

/** GET `path` on the engine's API socket; answers the status and the JSON body (undefined when empty). */
export function engineGet(socket: string, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: socket, path }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      })
      .on('error', reject);
  });
}
