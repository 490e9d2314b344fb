import { askForNotifications, pushStatusMessage, setUpPush } from '../push/pushSubscription';
import { currentAccounts } from '../store/accountStore';
import { usePushStatus } from '../ui/stores';

/** Where notifications stand, what that means, and the button to allow them when it can help. */
export function NotificationsSetting({ compact = false }: { compact?: boolean }) {
  const status = usePushStatus();
  if (compact && (status === 'subscribed' || status === 'subscribing')) return null;
  const allow = async () => {
    if ((await askForNotifications()) === 'granted') await setUpPush(currentAccounts() ?? []);
  };
  return (
    <div class={compact ? 'notice' : 'setting'} role="note" aria-label="Notifications">
      <p>{pushStatusMessage(status)}</p>
      {status === 'ask' && (
        <button type="button" class="button" onClick={allow}>
          Allow notifications
        </button>
      )}
    </div>
  );
}
