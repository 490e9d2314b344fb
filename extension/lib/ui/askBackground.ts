import { browser } from 'wxt/browser';
import { type MessageOn, type Payload, type Reply, message, parseReply } from '../../../shared/schemas/extensionMessages';

/** Ask the background (from the popup or the options page); the answer is checked against its schema too. */
export async function askBackground<K extends MessageOn<'extensionPage'>>(type: K, payload: Payload<K>): Promise<Reply<K>> {
  const raw: unknown = await browser.runtime.sendMessage(message(type, payload));
  const reply = parseReply(type, raw);
  if (reply === undefined) throw new Error('The extension’s background did not answer as expected.');
  return reply;
}
