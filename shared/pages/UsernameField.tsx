/**
 * The username field of the relay's pages (the hosted sign-in, finding the organization for My Sign-ins,
 * the admin center's sign-in): one label, one hint in its placeholder, and the browser's username autofill.
 */
export function UsernameField(props: {
  value: string;
  onInput: (value: string) => void;
  /** The id of the words that explain what is wrong with it, when something is. */
  errorId?: string;
}) {
  return (
    <>
      <label for="username">Username</label>
      <input
        id="username"
        name="username"
        type="text"
        autocomplete="username"
        autocapitalize="none"
        spellcheck={false}
        placeholder="someone@example.com"
        value={props.value}
        aria-invalid={props.errorId ? 'true' : undefined}
        aria-describedby={props.errorId}
        onInput={(event) => props.onInput((event.target as HTMLInputElement).value)}
      />
    </>
  );
}
