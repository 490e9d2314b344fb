import { render } from 'preact';
import { App } from './App';
import { reconnectNow } from './requests/requestStore';
import { loadAccounts } from './store/accountStore';
import { registerServiceWorker } from './updates';
import './style.css';

registerServiceWorker();
void loadAccounts();
// Back in the foreground or back online: fetch what is pending now, reconnect the live channels.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void reconnectNow();
});
window.addEventListener('online', () => void reconnectNow());
render(<App />, document.getElementById('app')!);
