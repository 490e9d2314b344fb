/** Hooks over the app's stores. */
import { currentAccounts, subscribeAccounts } from '../store/accountStore';
import { pushStatus, subscribePushStatus } from '../push/pushSubscription';
import { pendingRequests, subscribeRequests } from '../requests/requestStore';
import { organizationState, subscribeOrganizationState } from '../store/organizationState';
import { useExternal } from './hooks';

export const useAccounts = () => useExternal(subscribeAccounts, currentAccounts);
export const usePendingRequests = () => useExternal(subscribeRequests, pendingRequests);
export const usePushStatus = () => useExternal(subscribePushStatus, pushStatus);
export const useOrganizationState = () => useExternal(subscribeOrganizationState, organizationState);
