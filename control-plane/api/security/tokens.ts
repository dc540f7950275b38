import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Who a bearer token is. */
export interface UserInfo {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
}

export const adminUser: UserInfo = { username: 'flotilla-admin', uid: 'flotilla-admin', groups: ['system:masters', 'system:authenticated'] };

/**
 * Bearer tokens. The admin token is made at first start (32 random bytes, hex) and kept in
 * `<dataDir>/auth/admin.token`; every replica reading the same data dir accepts it.
 */
export class TokenAuthenticator {
  private constructor(private readonly tokens: ReadonlyMap<string, UserInfo>) {}

  static async open(dataDir: string): Promise<{ authenticator: TokenAuthenticator; adminToken: string }> {
    const directory = join(dataDir, 'auth');
    await mkdir(directory, { recursive: true });
    const path = join(directory, 'admin.token');
    let adminToken: string;
    try {
      adminToken = (await readFile(path, 'utf8')).trim();
    } catch {
      adminToken = randomBytes(32).toString('hex');
      await writeFile(path, `${adminToken}\n`, { mode: 0o600 });
    }
    return { authenticator: new TokenAuthenticator(new Map([[adminToken, adminUser]])), adminToken };
  }

  /**
   * A replicated cluster's admin token (the same on every replica, from the cluster bootstrap
   * record), also written to `<dataDir>/auth/admin.token` so `flotilla kubeconfig --data-dir` finds it.
   */
  static async withAdminToken(dataDir: string, adminToken: string): Promise<TokenAuthenticator> {
    const directory = join(dataDir, 'auth');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'admin.token'), `${adminToken}\n`, { mode: 0o600 });
    return new TokenAuthenticator(new Map([[adminToken, adminUser]]));
  }

  /** A new admin token: 32 random bytes, hex. */
  static newToken(): string {
    return randomBytes(32).toString('hex');
  }

  /** The user of an `Authorization: Bearer <token>` header, or null. Compares in constant time. */
  authenticate(header: string | undefined): UserInfo | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (match === null) return null;
    const offered = Buffer.from(match[1] ?? '');
    for (const [token, user] of this.tokens) {
      const expected = Buffer.from(token);
      if (expected.length === offered.length && timingSafeEqual(expected, offered)) return user;
    }
    return null;
  }
}
