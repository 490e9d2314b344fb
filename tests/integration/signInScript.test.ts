import { expect, it } from 'vitest';
import { signInThroughApi } from '../scripts/signInThroughApi';

it('the API-only script completes a passwordless and a push-MFA sign-in', async () => {
  const lines: string[] = [];
  const result = await signInThroughApi((line) => lines.push(line));
  expect(result).toEqual({ passwordless: ['pop', 'user', 'mfa'], pushMfa: ['pwd', 'pop', 'mfa'] });
  expect(lines.join('\n')).toContain('pending → approved');
});
