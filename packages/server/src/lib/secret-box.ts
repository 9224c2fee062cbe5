// Encryption at rest for secrets kept in the database (registry passwords, secret stack variables,
// Git credentials): AES-256-GCM with a key file in the data directory, made on first start.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

const PREFIX = 'v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens secrets; sealed text is `v1:` + base64(iv ‖ tag ‖ ciphertext). */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`the encryption key must be ${KEY_BYTES} bytes`);
    this.#key = key;
  }

  /** Encrypts `plain`; `context` (e.g. "registry:3:password") is bound in, so a value cannot be moved to another field. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts what seal() made with the same context; throws AppError secret_unreadable otherwise. */
  open(sealed: string, context: string): string {
    try {
      if (!sealed.startsWith(PREFIX)) throw new Error('unknown format');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      const iv = raw.subarray(0, IV_BYTES);
      const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('secret_unreadable', `a stored secret (${context}) cannot be decrypted: the data directory's secret.key changed; enter the secret again`);
    }
  }
}

/** Loads `<dataDir>/secret.key` (32 random bytes, 0600), creating it on first start. */
export function loadSecretBox(dataDir: string): SecretBox {
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
}
