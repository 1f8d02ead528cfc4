// Broken answers of the fake ONVIF device, as sloppy or rebooting firmware sends them.
import * as t from './templates.js';

/** How an operation misbehaves: SOAP fault, HTTP 500, broken-but-complete XML, truncated XML, or not XML. */
export type Misbehaviour = 'fault' | 'http500' | 'malformed' | 'truncated' | 'garbage';

export function misbehaviourBody(how: Misbehaviour, op: string): { status: number; body: string } {
  switch (how) {
    case 'fault':
      return { status: 500, body: t.fault('ter:Action', `${op} failed (injected fault)`) };
    case 'http500':
      return { status: 500, body: 'Internal Server Error' };
    case 'truncated':
      return { status: 200, body: t.envelope(`<tev:${op}Response><tev:CurrentTime>2024-`).slice(0, -60) };
    case 'garbage':
      return { status: 200, body: '\u0000\u00ff<<<>>> &&& not xml at all' };
    case 'malformed':
      return { status: 200, body: '' }; // handled by the caller: the real answer, damaged but complete
  }
}

/** Damage a complete answer the way sloppy firmwares do, keeping it understandable. */
export function damage(xml: string): string {
  return xml.replace('<SOAP-ENV:Header/>', '<SOAP-ENV:Header>Tom & Jerry\'s <cam></SOAP-ENV:Header></stray>') + '\u0000garbage after the envelope';
}

