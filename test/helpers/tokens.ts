import { SignJWT } from 'jose';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!!';

/** An HS256 token that expires in an hour unless told otherwise; `expiresIn: null` leaves out `exp`. */
export async function signToken(sub: unknown, options: { secret?: string; expiresIn?: string | number | null; notBefore?: string | number; audience?: string; issuer?: string } = {}): Promise<string> {
  let jwt = new SignJWT(sub === undefined ? {} : { sub: sub as string }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(options.expiresIn ?? '1h');
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** An unsigned token ("alg": "none"), which must never be accepted. */
export function unsignedToken(sub: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}
