import { useEffect, useState } from 'preact/hooks';
import { totpCode, totpSecondsLeft, totpStep } from '../../../shared/totp';
import { useNow } from '../ui/hooks';

/** The account's current verification code (RFC 6238) and how long it lasts: works offline. */
export function VerificationCode({ secret, username }: { secret: string; username: string }) {
  const now = useNow();
  const step = totpStep(now);
  const [code, setCode] = useState<string>();
  useEffect(() => {
    let current = true;
    totpCode(secret, step * 30_000).then((value) => current && setCode(value));
    return () => {
      current = false;
    };
  }, [secret, step]);
  const left = totpSecondsLeft(now);
  return (
    <div class="code">
      <output class="code-digits" aria-live="off" aria-label={`Verification code for ${username}`}>
        {code ? `${code.slice(0, 3)} ${code.slice(3)}` : '––– –––'}
      </output>
      <span class="countdown" role="timer" style={{ '--left': left / 30 }} aria-label={`Changes in ${left} seconds`}>
        {left}
      </span>
    </div>
  );
}
