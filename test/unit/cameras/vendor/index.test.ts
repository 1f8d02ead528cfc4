import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createVendorEventSource, vendorDriver, vendorSettingsFromCamera } from '../../../../src/cameras/vendor/index.js';
import { systemClock } from '../../../../src/core/clock.js';
import { EventBus } from '../../../../src/core/events.js';
import { Problems } from '../../../../src/core/problems.js';

describe('vendorSettingsFromCamera', () => {
  it('falls back to the ONVIF host and account', () => {
    expect(vendorSettingsFromCamera({ id: 'door', kind: 'doorbell', onvif: { host: '192.0.2.5', username: 'u', password: 'p' } }, 'dahua')).toEqual({ id: 'door', kind: 'doorbell', vendor: 'dahua', host: '192.0.2.5', username: 'u', password: 'p' });
  });

  it('takes the vendor block first, with its options', () => {
    const cam = { id: 'nvr-3', kind: 'camera' as const, onvif: { host: '192.0.2.5', username: 'u', password: 'p' }, vendor: { host: '192.0.2.9', port: 8443, https: true, password: 'q', channel: 3, alarmInput: 'ignore' as const } };
    expect(vendorSettingsFromCamera(cam, 'hikvision')).toEqual({ id: 'nvr-3', kind: 'camera', vendor: 'hikvision', host: '192.0.2.9', port: 8443, https: true, username: 'u', password: 'q', channel: 3, alarmInput: 'ignore' });
  });

  it('says what is missing', () => {
    expect(vendorSettingsFromCamera({ id: 'a', kind: 'camera' }, 'dahua')).toEqual({ missing: 'vendor.host (or onvif.host)' });
    expect(vendorSettingsFromCamera({ id: 'a', kind: 'camera', vendor: { host: 'h', username: 'u' } }, 'dahua')).toEqual({ missing: 'vendor.username and vendor.password (or the onvif ones)' });
  });
});

describe('createVendorEventSource', () => {
  it('builds the service without any I/O; doorbells poll on Hikvision only', async () => {
    const log = pino({ level: 'silent' });
    const bus = new EventBus(log);
    const source = createVendorEventSource({ id: 'door', kind: 'doorbell', vendor: 'hikvision', host: '192.0.2.5', username: 'u', password: 'p' }, { bus, log, clock: systemClock, problems: new Problems({ bus, clock: systemClock }) });
    expect(source.name).toBe('hikvision-events:door');
    expect(source.stats.connects).toBe(0);
    await source.stop();
    expect(vendorDriver({ id: 'd', kind: 'doorbell', vendor: 'hikvision', host: 'h', username: 'u', password: 'p' }).createPoller?.()).toBeDefined();
    expect('createPoller' in vendorDriver({ id: 'd', kind: 'doorbell', vendor: 'dahua', host: 'h', username: 'u', password: 'p' })).toBe(false);
    expect(vendorDriver({ id: 'd', kind: 'camera', vendor: 'dahua', host: 'h', username: 'u', password: 'p', channel: 2 }).parse({}, Buffer.from('Code=VideoMotion;action=Start;index=1'))).toEqual([{ kind: 'motion', key: 'VideoMotion:1', active: true }]);
  });
});
