import { AppError } from '../../core/errors.js';
import type { OnvifDevice } from './device.js';
import { safeText } from './soap.js';
import { childrenNamed, find, serializeXml, textOf, type XmlNode } from './xml.js';

/**
 * The four PullPoint operations (ONVIF Core spec, "Real-time Pull-Point Notification Interface"),
 * as single requests with the action URIs their WSDLs define: the ONVIF events WSDL for
 * CreatePullPointSubscription and PullMessages, OASIS WS-BaseNotification (bw-2) for Renew and
 * Unsubscribe. The loop that drives them lives in event-service.ts; nothing here retries.
 */

const EV = 'http://www.onvif.org/ver10/events/wsdl';
const WSA = 'http://www.w3.org/2005/08/addressing';

export const ACTIONS = {
  create: `${EV}/EventPortType/CreatePullPointSubscriptionRequest`,
  pull: `${EV}/PullPointSubscription/PullMessagesRequest`,
  renew: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest',
  unsubscribe: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest',
} as const;

/** Reference parameters are echoed in every request; a camera has no reason to send more. */
const MAX_REFERENCE_XML = 4096;
/** Messages per PullMessages answer. */
const MESSAGE_LIMIT = 32;

export interface Subscription {
  /** Where requests go: the reported address after OnvifDevice.repoint (configured host only). */
  address: string;
  /** The address as the camera reported it, sent as wsa:To (WS-Addressing: the EPR's address). */
  to: string;
  /** WS-Addressing reference parameters to echo in each request's header (Axis needs them). */
  referenceXml: string;
  /** Subscription end and the camera's current time, both in camera clock (ms), when reported. */
  terminationMs?: number;
  currentMs?: number;
}

export interface EventMessage {
  topic: string;
  /** Camera time of the event (ms), when it sent a parsable UtcTime. */
  utcMs?: number;
  /** Initialized / Changed / Deleted (ONVIF property semantics). */
  operation?: string;
  source: Record<string, string>;
  data: Record<string, string>;
}

export interface PullResult {
  messages: EventMessage[];
  terminationMs?: number;
  currentMs?: number;
}

function time(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Serialise reference parameters back to XML so they can be echoed as SOAP headers, each marked
 * as a WS-Addressing reference parameter. Size-capped: the tree comes from the camera.
 */
export function serialiseReference(params: XmlNode): string {
  const marker = ` xmlns:wsa="${WSA}" wsa:IsReferenceParameter="true"`;
  let out = '';
  for (const child of params.children) {
    out += serializeXml(child, marker);
    if (out.length > MAX_REFERENCE_XML) throw new AppError('ONVIF_BAD_RESPONSE', `camera gave subscription reference parameters over ${MAX_REFERENCE_XML} bytes`);
  }
  return out;
}

function times(answer: XmlNode): { terminationMs?: number; currentMs?: number } {
  const out: { terminationMs?: number; currentMs?: number } = {};
  const termination = time(textOf(answer, 'TerminationTime'));
  const current = time(textOf(answer, 'CurrentTime'));
  if (termination !== undefined) out.terminationMs = termination;
  if (current !== undefined) out.currentMs = current;
  return out;
}

export async function createPullPoint(device: OnvifDevice, terminationSeconds: number, signal?: AbortSignal): Promise<Subscription> {
  const url = device.services.events ?? `${device.base}/onvif/event_service`;
  const body = `<tev:CreatePullPointSubscription><tev:InitialTerminationTime>PT${terminationSeconds}S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`;
  const answer = await device.client.call(url, body, { signal, action: ACTIONS.create });
  const ref = find(answer, 'SubscriptionReference');
  const address = textOf(ref, 'Address')?.trim();
  if (!address) throw new AppError('ONVIF_BAD_RESPONSE', 'camera created a subscription without an address');
  if (address.length > 2048) throw new AppError('ONVIF_BAD_RESPONSE', `camera gave a subscription address of ${address.length} characters`);
  const params = find(ref, 'ReferenceParameters');
  return { address: device.repoint(address), to: address, referenceXml: params ? serialiseReference(params) : '', ...times(answer) };
}

/** One long-poll: the camera answers when it has messages or after timeoutSeconds. */
export async function pullMessages(device: OnvifDevice, sub: Subscription, timeoutSeconds: number, signal?: AbortSignal): Promise<PullResult> {
  const body = `<tev:PullMessages><tev:Timeout>PT${timeoutSeconds}S</tev:Timeout><tev:MessageLimit>${MESSAGE_LIMIT}</tev:MessageLimit></tev:PullMessages>`;
  const answer = await device.client.call(sub.address, body, {
    signal,
    to: sub.to,
    header: sub.referenceXml,
    action: ACTIONS.pull,
    // The camera may hold the request for the whole long-poll; allow for a slow network on top.
    timeoutMs: (timeoutSeconds + 10) * 1000,
  });
  if (answer.name !== 'PullMessagesResponse') throw new AppError('ONVIF_BAD_RESPONSE', `camera answered PullMessages with ${safeText(answer.name, 60)}`);
  const messages = childrenNamed(answer, 'NotificationMessage').slice(0, MESSAGE_LIMIT * 4).flatMap(parseNotification);
  return { messages, ...times(answer) };
}

/** Renew; updates the subscription's termination and current time from the answer. */
export async function renew(device: OnvifDevice, sub: Subscription, terminationSeconds: number, signal?: AbortSignal): Promise<void> {
  const body = `<wsnt:Renew><wsnt:TerminationTime>PT${terminationSeconds}S</wsnt:TerminationTime></wsnt:Renew>`;
  const answer = await device.client.call(sub.address, body, { signal, to: sub.to, header: sub.referenceXml, action: ACTIONS.renew });
  const t = times(answer);
  const now = t.currentMs;
  // A camera that answers without times granted what was asked, counted from its "now".
  sub.terminationMs = t.terminationMs ?? (now ?? sub.currentMs ?? 0) + terminationSeconds * 1000;
  if (now !== undefined) sub.currentMs = now;
  else delete sub.currentMs;
}

export async function unsubscribe(device: OnvifDevice, sub: Subscription, timeoutMs: number): Promise<void> {
  await device.client.call(sub.address, '<wsnt:Unsubscribe/>', { to: sub.to, header: sub.referenceXml, action: ACTIONS.unsubscribe, timeoutMs });
}

function simpleItems(parent: XmlNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of childrenNamed(parent, 'SimpleItem').slice(0, 32)) {
    const name = item.attrs.Name;
    if (name) out[name.slice(0, 100)] = (item.attrs.Value ?? '').slice(0, 200);
  }
  return out;
}

/** A wsnt:NotificationMessage → EventMessage; messages without a topic are dropped. */
export function parseNotification(node: XmlNode): EventMessage[] {
  const topic = childrenNamed(node, 'Topic')[0]?.text;
  if (!topic) return [];
  // wsnt:Message wraps tt:Message; take the innermost element that carries Source/Data.
  const outer = childrenNamed(node, 'Message')[0];
  const inner = childrenNamed(outer, 'Message')[0] ?? outer;
  const msg: EventMessage = {
    topic: topic.slice(0, 300),
    source: simpleItems(childrenNamed(inner, 'Source')[0]),
    data: simpleItems(childrenNamed(inner, 'Data')[0]),
  };
  const utc = time(inner?.attrs.UtcTime);
  if (utc !== undefined) msg.utcMs = utc;
  if (inner?.attrs.PropertyOperation) msg.operation = inner.attrs.PropertyOperation;
  return [msg];
}
