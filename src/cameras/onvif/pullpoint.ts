import { AppError } from '../../core/errors.js';
import type { OnvifDevice } from './device.js';
import { childrenNamed, escapeXml, find, findAll, textOf, type XmlNode } from './xml.js';

/**
 * The four PullPoint operations (ONVIF Core spec, "Real-time Pull-Point Notification Interface"),
 * as single requests. The loop that drives them — renewal, resubscription, backoff — lives in
 * event-service.ts; nothing here retries.
 */

const EV = 'http://www.onvif.org/ver10/events/wsdl';
const WSA = 'http://www.w3.org/2005/08/addressing';

export interface Subscription {
  address: string;
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

/** Serialise reference parameters back to XML so they can be echoed as SOAP headers. */
function serialise(node: XmlNode, marker: string): string {
  const name = node.prefix ? `${node.prefix}:${node.name}` : node.name;
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  return `<${name}${attrs}${marker}>${escapeXml(node.text)}${node.children.map((c) => serialise(c, '')).join('')}</${name}>`;
}

function headerFor(sub: Subscription, action: string): string {
  return `<wsa:Action>${EV}/${action}</wsa:Action><wsa:To>${escapeXml(sub.address)}</wsa:To>${sub.referenceXml}`;
}

export async function createPullPoint(device: OnvifDevice, terminationSeconds: number, signal?: AbortSignal): Promise<Subscription> {
  const url = device.services.events ?? `${device.base}/onvif/event_service`;
  const body = `<tev:CreatePullPointSubscription><tev:InitialTerminationTime>PT${terminationSeconds}S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`;
  const answer = await device.client.call(url, body, { signal, action: `${EV}/EventPortType/CreatePullPointSubscriptionRequest` });
  const ref = find(answer, 'SubscriptionReference');
  const address = textOf(ref, 'Address');
  if (!address) throw new AppError('ONVIF_BAD_RESPONSE', 'camera created a subscription without an address');
  const params = find(ref, 'ReferenceParameters');
  const sub: Subscription = {
    address: device.repoint(address),
    referenceXml: params ? params.children.map((c) => serialise(c, ` xmlns:wsa="${WSA}" wsa:IsReferenceParameter="true"`)).join('') : '',
  };
  const termination = time(textOf(answer, 'TerminationTime'));
  const current = time(textOf(answer, 'CurrentTime'));
  if (termination !== undefined) sub.terminationMs = termination;
  if (current !== undefined) sub.currentMs = current;
  return sub;
}

/** One long-poll: the camera answers when it has messages or after timeoutSeconds. */
export async function pullMessages(device: OnvifDevice, sub: Subscription, timeoutSeconds: number, signal?: AbortSignal): Promise<PullResult> {
  const body = `<tev:PullMessages><tev:Timeout>PT${timeoutSeconds}S</tev:Timeout><tev:MessageLimit>32</tev:MessageLimit></tev:PullMessages>`;
  const answer = await device.client.call(sub.address, body, {
    signal,
    header: headerFor(sub, 'PullPointSubscription/PullMessagesRequest'),
    action: `${EV}/PullPointSubscription/PullMessagesRequest`,
    // The camera may hold the request for the whole long-poll; allow for a slow network on top.
    timeoutMs: (timeoutSeconds + 15) * 1000,
  });
  if (answer.name !== 'PullMessagesResponse') throw new AppError('ONVIF_BAD_RESPONSE', `camera answered PullMessages with ${answer.name}`);
  const result: PullResult = { messages: findAll(answer, 'NotificationMessage').flatMap(parseNotification) };
  const termination = time(textOf(answer, 'TerminationTime'));
  const current = time(textOf(answer, 'CurrentTime'));
  if (termination !== undefined) result.terminationMs = termination;
  if (current !== undefined) result.currentMs = current;
  return result;
}

export async function renew(device: OnvifDevice, sub: Subscription, terminationSeconds: number, signal?: AbortSignal): Promise<void> {
  const body = `<wsnt:Renew><wsnt:TerminationTime>PT${terminationSeconds}S</wsnt:TerminationTime></wsnt:Renew>`;
  const answer = await device.client.call(sub.address, body, {
    signal,
    header: headerFor(sub, 'SubscriptionManager/RenewRequest'),
    action: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest',
  });
  const termination = time(textOf(answer, 'TerminationTime'));
  const current = time(textOf(answer, 'CurrentTime'));
  sub.terminationMs = termination ?? (current ?? sub.currentMs ?? 0) + terminationSeconds * 1000;
  if (current !== undefined) sub.currentMs = current;
}

export async function unsubscribe(device: OnvifDevice, sub: Subscription, timeoutMs: number): Promise<void> {
  await device.client.call(sub.address, '<wsnt:Unsubscribe/>', {
    header: headerFor(sub, 'SubscriptionManager/UnsubscribeRequest'),
    action: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest',
    timeoutMs,
  });
}

function simpleItems(parent: XmlNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of findAll(parent, 'SimpleItem')) {
    const name = item.attrs.Name;
    if (name) out[name] = item.attrs.Value ?? '';
  }
  return out;
}

/** A wsnt:NotificationMessage → EventMessage; messages without a topic are dropped. */
export function parseNotification(node: XmlNode): EventMessage[] {
  const topic = textOf(node, 'Topic');
  if (!topic) return [];
  // wsnt:Message wraps tt:Message; take the innermost element that carries Source/Data.
  const outer = childrenNamed(node, 'Message')[0];
  const inner = childrenNamed(outer, 'Message')[0] ?? outer;
  const msg: EventMessage = {
    topic,
    source: simpleItems(childrenNamed(inner, 'Source')[0]),
    data: simpleItems(childrenNamed(inner, 'Data')[0]),
  };
  const utc = time(inner?.attrs.UtcTime);
  if (utc !== undefined) msg.utcMs = utc;
  if (inner?.attrs.PropertyOperation) msg.operation = inner.attrs.PropertyOperation;
  return [msg];
}
