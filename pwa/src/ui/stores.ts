/** Hooks over the app's stores. */
import { currentAccounts, subscribeAccounts } from '../store/accountStore';
import { pushStatus, subscribePushStatus } from '../push/pushSubscription';
import { pendingRequests, subscribeRequests } from '../requests/requestStore';
import { useExternal } from './hooks';

export const useAccounts = () => useExternal(subscribeAccounts, currentAccounts);
export const usePendingRequests = () => useExternal(subscribeRequests, pendingRequests);
export const usePushStatus = () => useExternal(subscribePushStatus, pushStatus);
