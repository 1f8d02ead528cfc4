import { useState } from 'preact/hooks';
import { api, triggerUrl, type CameraView } from '../api.js';
import { EmptyState } from '../components/empty.js';
import { DOCS } from '../docs.js';

/**
 * An empty queue says why: nothing matches the filters (and how to clear them), no camera is
 * configured yet, or no clip has been made yet — with what makes one, and a button that does.
 */
export function QueueEmpty(props: { filtered: boolean; cameras: CameraView[] | null; onClear: () => void }) {
  const [note, setNote] = useState<string | null>(null);
  if (props.filtered) {
    return (
      <EmptyState title="No clips match these filters">
        <p>Try another day, camera or status, or <button type="button" class="link" onClick={props.onClear}>clear the filters</button>.</p>
      </EmptyState>
    );
  }
  if (props.cameras && props.cameras.length === 0) {
    return (
      <EmptyState title="No cameras yet" docs={{ href: DOCS.cameras, label: 'README: Cameras — how to add ONVIF, RTSP and doorbell cameras' }}>
        <p>
          Add a camera under <code>cameras:</code> in the config file (<code>config/clipgate.yml</code>, or the file given with <code>--config</code>),
          check it with <code>clipgate check-config</code>, then restart clipgate. <code>clipgate discover</code> lists the ONVIF cameras on your network.
        </p>
      </EmptyState>
    );
  }
  const trigger = (cam: CameraView): void => {
    api('POST', triggerUrl(cam.id), {}).then(() => setNote(`Recording a clip from ${cam.name} now; it will appear here.`), (e: Error) => setNote(e.message));
  };
  return (
    <EmptyState title="No new clips" docs={{ href: DOCS.clipFlow, label: 'README: How a clip flows' }}>
      <p>
        A clip is made when a camera reports motion or a doorbell press, when on-device detection sees movement, or when a camera drops a
        file into its inbox folder. New clips appear here by themselves. To try it now, record a short clip by hand:
      </p>
      <div class="actions wrap">
        {(props.cameras ?? []).map((c) => (
          <button key={c.id} type="button" onClick={() => trigger(c)} disabled={c.status === 'privacy'}>Record a clip from {c.name}</button>
        ))}
      </div>
      {note && <p role="status">{note}</p>}
    </EmptyState>
  );
}
