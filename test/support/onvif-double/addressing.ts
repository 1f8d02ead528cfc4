// Strict WS-Addressing of the fake ONVIF device, as firmware that checks it behaves: a request
// without wsa:MessageID, wsa:Action or wsa:To, with an action its WSDL does not define for the
// operation, a To that names another endpoint, a non-anonymous ReplyTo, a Content-Type action that
// disagrees with wsa:Action, or a MessageID seen before gets a SOAP 1.2 Sender fault with the
// WS-Addressing 1.0 SOAP binding's subcode and the offending header in the Detail.
import * as t from './templates.js';

const TDS = 'http://www.onvif.org/ver10/device/wsdl';
const TRT = 'http://www.onvif.org/ver10/media/wsdl';
const TEV = 'http://www.onvif.org/ver10/events/wsdl';
const BW2 = 'http://docs.oasis-open.org/wsn/bw-2';
export const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

/** The wsa:Action each operation's WSDL defines. */
export const EXPECTED_ACTIONS: Record<string, string> = {
  GetSystemDateAndTime: `${TDS}/GetSystemDateAndTime`,
  GetCapabilities: `${TDS}/GetCapabilities`,
  GetServices: `${TDS}/GetServices`,
  GetDeviceInformation: `${TDS}/GetDeviceInformation`,
  GetProfiles: `${TRT}/GetProfiles`,
  GetStreamUri: `${TRT}/GetStreamUri`,
  GetSnapshotUri: `${TRT}/GetSnapshotUri`,
  CreatePullPointSubscription: `${TEV}/EventPortType/CreatePullPointSubscriptionRequest`,
  PullMessages: `${TEV}/PullPointSubscription/PullMessagesRequest`,
  Renew: `${BW2}/SubscriptionManager/RenewRequest`,
  Unsubscribe: `${BW2}/SubscriptionManager/UnsubscribeRequest`,
};

/** What the double saw of one request, for assertions. */
export interface RecordedRequest {
  op: string;
  path: string;
  action?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
  /** Content-Type action parameter. */
  contentAction?: string;
  hasWsse: boolean;
  hasDigest: boolean;
  at: number;
  /** HTTP status answered; 0 when the double cut the connection; absent while pending or for hostile bodies. */
  status?: number;
}

function header(body: string, name: string): string | undefined {
  const head = /<(?:[\w-]+:)?Header\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?Header>/.exec(body)?.[1] ?? '';
  const m = new RegExp(`<(?:[\\w-]+:)?${name}\\b[^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(head);
  return m?.[1]?.replace(/<[^>]*>/g, '').trim();
}

export function recordRequest(op: string, path: string, body: string, contentType: string | undefined, authorization: string | undefined): RecordedRequest {
  const r: RecordedRequest = { op, path, hasWsse: /UsernameToken/.test(body), hasDigest: authorization?.startsWith('Digest ') ?? false, at: Date.now() };
  const action = header(body, 'Action');
  const messageId = header(body, 'MessageID');
  const to = header(body, 'To');
  const replyTo = header(body, 'ReplyTo');
  const contentAction = /action="([^"]*)"/.exec(contentType ?? '')?.[1];
  if (action !== undefined) r.action = action;
  if (messageId !== undefined) r.messageId = messageId;
  if (to !== undefined) r.to = to;
  if (replyTo !== undefined) r.replyTo = replyTo;
  if (contentAction !== undefined) r.contentAction = contentAction;
  return r;
}

const qname = (name: string): string => `<wsa5:ProblemHeaderQName>wsa5:${name}</wsa5:ProblemHeaderQName>`;

/** The fault a strict camera answers, or undefined when the addressing is right. */
export function addressingFault(r: RecordedRequest, seen: Set<string>): string | undefined {
  for (const [name, value] of [['MessageID', r.messageId], ['Action', r.action], ['To', r.to]] as const) {
    if (!value) return t.fault('wsa5:MessageAddressingHeaderRequired', `A required header representing a Message Addressing Property is not present: wsa:${name}`, { detail: qname(name) });
  }
  const expected = EXPECTED_ACTIONS[r.op];
  if (expected !== undefined && r.action !== expected) {
    return t.fault('wsa5:ActionNotSupported', `The ${r.action} cannot be processed at the receiver`, { detail: `<wsa5:ProblemAction><wsa5:Action>${r.action}</wsa5:Action></wsa5:ProblemAction>` });
  }
  if (r.contentAction !== undefined && r.contentAction !== r.action) {
    return t.fault('wsa5:ActionMismatch', 'The SOAP action in the Content-Type does not match wsa:Action', { detail: qname('Action') });
  }
  let toPath: string | undefined;
  try {
    toPath = new URL(r.to ?? '').pathname;
  } catch {
    toPath = undefined;
  }
  if (toPath !== r.path) return t.fault('wsa5:DestinationUnreachable', `No route can be determined to reach ${r.to}`, { detail: qname('To') });
  if (r.replyTo !== undefined && r.replyTo !== ANONYMOUS) return t.fault('wsa5:OnlyAnonymousAddressSupported', 'Only the anonymous ReplyTo address is supported', { detail: qname('ReplyTo') });
  if (seen.has(r.messageId ?? '')) return t.fault('wsa5:InvalidAddressingHeader', `Duplicate message ${r.messageId}`, { detail: qname('MessageID') });
  seen.add(r.messageId ?? '');
  return undefined;
}
