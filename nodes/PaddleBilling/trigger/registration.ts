/**
 * The trigger's notification destination in Paddle (automatic mode): checkExists / create /
 * delete. Manual mode registers nothing. What is kept in workflow static data is ids only: the
 * endpoint secret key lives in process memory (endpoint-secret.ts).
 */
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, paddleData, paddleErrorInfo, paddleList } from '../transport';
import { forgetSecret, rememberSecret } from './endpoint-secret';
import { ALL_EVENTS, PADDLE_EVENT_TYPES } from './normalize';

/**
 * What automatic mode keeps in workflow static data. `endpointSecretKey` was written by earlier
 * versions and is removed at the next activation, never read.
 */
interface TriggerStaticData extends IDataObject {
	notificationSettingId?: string;
	endpointSecretKey?: string;
	destination?: string;
}

function wantedEvents(this: IHookFunctions): string[] {
	const events = (this.getNodeParameter('events', []) as string[]) ?? [];
	if (events.length === 0 || events.includes(ALL_EVENTS)) return [...PADDLE_EVENT_TYPES].sort();
	return [...new Set(events)].sort();
}

function eventNames(setting: IDataObject): string[] {
	return ((setting.subscribed_events ?? []) as Array<IDataObject | string>)
		.map((e) => (typeof e === 'string' ? e : String(e.name)))
		.sort();
}

function sameList(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

function adopt(staticData: TriggerStaticData, setting: IDataObject, destination: string): void {
	staticData.notificationSettingId = setting.id as string;
	staticData.destination = destination;
	delete staticData.endpointSecretKey;
	if (typeof setting.endpoint_secret_key === 'string') rememberSecret(setting.id as string, setting.endpoint_secret_key);
}

function forget(staticData: TriggerStaticData): void {
	if (staticData.notificationSettingId) forgetSecret(staticData.notificationSettingId);
	delete staticData.notificationSettingId;
	delete staticData.endpointSecretKey;
	delete staticData.destination;
}

const settingPath = (id: string) => `/notification-settings/${encodeURIComponent(id)}`;

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	if (this.getNodeParameter('mode') !== 'automatic') return true;
	const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
	const destination = this.getNodeWebhookUrl('default') as string;
	const events = wantedEvents.call(this);
	let setting: IDataObject | undefined;
	if (staticData.notificationSettingId) {
		try {
			setting = (await paddleData.call(this, { method: 'GET', path: settingPath(staticData.notificationSettingId) })) as IDataObject;
		} catch (error) {
			if (paddleErrorInfo(error).status !== 404) throw asNodeError(this.getNode(), error);
			// Deleted in Paddle: forget it so that create() makes a new one.
			forget(staticData);
			setting = undefined;
		}
	} else {
		// Static data lost (e.g. workflow re-imported): adopt a destination for this URL rather than add a second one.
		const all = (await paddleList.call(this, { method: 'GET', path: '/notification-settings' })) as IDataObject[];
		setting = all.find((s) => s.destination === destination && s.type === 'url');
	}
	if (!setting) return false;
	if (setting.destination !== destination) {
		await paddleData.call(this, { method: 'DELETE', path: settingPath(setting.id as string) });
		forget(staticData);
		return false;
	}
	if (!sameList(eventNames(setting), events) || setting.active !== true) {
		setting = (await paddleData.call(this, {
			method: 'PATCH',
			path: settingPath(setting.id as string),
			body: { subscribed_events: events, active: true },
		})) as IDataObject;
	}
	adopt(staticData, setting, destination);
	return true;
}

export async function create(this: IHookFunctions): Promise<boolean> {
	if (this.getNodeParameter('mode') !== 'automatic') return true;
	const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
	const destination = this.getNodeWebhookUrl('default') as string;
	const description = String(this.getNodeParameter('destinationDescription', '') || 'n8n workflow').slice(0, 500);
	let setting: IDataObject;
	try {
		setting = (await paddleData.call(this, {
			method: 'POST',
			path: '/notification-settings',
			body: {
				description,
				destination,
				type: 'url',
				api_version: 1,
				subscribed_events: wantedEvents.call(this),
				traffic_source: this.getNodeParameter('trafficSource', 'platform'),
			},
		})) as IDataObject;
	} catch (error) {
		// "Only ten notification settings may be active at once" (Paddle docs, notification destinations).
		if (paddleErrorInfo(error).code === 'notification_maximum_active_settings_reached') {
			throw new NodeOperationError(
				this.getNode(),
				'Paddle allows at most 10 active notification destinations, and 10 are active already, so this workflow cannot register its own',
				{
					description:
						'Deactivate or delete a destination you no longer need (Paddle → Developer Tools → Notifications; every workflow with an automatic Paddle Billing Trigger has one, and "listen for test event" adds a temporary one), or use Manual mode with an existing destination.',
				},
			);
		}
		throw asNodeError(this.getNode(), error);
	}
	if (typeof setting.endpoint_secret_key !== 'string' || !setting.endpoint_secret_key) {
		throw new NodeOperationError(
			this.getNode(),
			`Paddle created notification destination ${String(setting.id)} but returned no endpoint_secret_key, so deliveries could not be verified`,
		);
	}
	adopt(staticData, setting, destination);
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	if (this.getNodeParameter('mode') !== 'automatic') return true;
	const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
	const id = staticData.notificationSettingId;
	if (id) {
		try {
			await paddleData.call(this, { method: 'DELETE', path: settingPath(id) });
		} catch (error) {
			// Already gone in Paddle is what we wanted; anything else must surface.
			if (paddleErrorInfo(error).status !== 404) throw asNodeError(this.getNode(), error);
		}
	}
	forget(staticData);
	return true;
}
