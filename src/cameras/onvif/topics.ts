/**
 * Which ONVIF event topics mean motion or a doorbell press. Topics are matched by suffix on
 * whole path segments after dropping namespace prefixes (`tns1:RuleEngine/...` and
 * `RuleEngine/...` are the same topic), because vendors put their own prefixes and parent
 * paths in front of the standard names. See docs/onvif.md for what each brand sends.
 */
export type TopicKind = 'motion' | 'doorbell';

export interface TopicRule {
  kind: TopicKind;
  /** Suffix in normalised form (no namespace prefixes). */
  suffix?: string;
  /** Alternative to a suffix: a segment pattern anywhere in the topic (Axis puts profile ids after VMD). */
  segment?: RegExp;
}

export const DEFAULT_TOPIC_RULES: readonly TopicRule[] = [
  { kind: 'motion', suffix: 'RuleEngine/CellMotionDetector/Motion' },
  { kind: 'motion', suffix: 'VideoSource/MotionAlarm' },
  { kind: 'motion', suffix: 'RuleEngine/MyRuleDetector/PeopleDetect' },
  { kind: 'motion', suffix: 'RuleEngine/MyRuleDetector/VehicleDetect' },
  { kind: 'motion', suffix: 'RuleEngine/MyRuleDetector/DogCatDetect' },
  { kind: 'motion', suffix: 'RuleEngine/MyRuleDetector/FaceDetect' },
  { kind: 'motion', suffix: 'RuleEngine/PeopleDetector/People' },
  // Axis: VMD 3 (`RuleEngine/VMD3/vmd3_video_1`), VMD 4 (`CameraApplicationPlatform/VMD/Camera1Profile1`)
  // and the older `VideoAnalytics/MotionDetection`.
  { kind: 'motion', segment: /^VMD\d*$/ },
  { kind: 'motion', suffix: 'VideoAnalytics/MotionDetection' },
  { kind: 'doorbell', suffix: 'RuleEngine/MyRuleDetector/Visitor' },
];

/** Data item names that carry the on/off value, most specific first. */
const VALUE_NAMES = ['IsMotion', 'State', 'IsPeople', 'active', 'Active', 'motion', 'IsInside', 'Value'];

/** `tns1:RuleEngine/tnsaxis:VMD3/x` → `RuleEngine/VMD3/x`. */
export function normaliseTopic(topic: string): string {
  return topic
    .trim()
    .split('/')
    .map((seg) => seg.slice(seg.indexOf(':') + 1).trim())
    .filter((seg) => seg !== '')
    .join('/');
}

/** Rules from config: extra suffixes per camera, added after the built-in table. */
export function topicRules(extra: { motion?: string[]; doorbell?: string[] } = {}): TopicRule[] {
  return [
    ...DEFAULT_TOPIC_RULES,
    ...(extra.motion ?? []).map((s): TopicRule => ({ kind: 'motion', suffix: normaliseTopic(s) })),
    ...(extra.doorbell ?? []).map((s): TopicRule => ({ kind: 'doorbell', suffix: normaliseTopic(s) })),
  ];
}

function endsWithSegments(topic: string, suffix: string): boolean {
  const t = topic.toLowerCase();
  const s = suffix.toLowerCase();
  return t === s || t.endsWith(`/${s}`);
}

/** The kind of a topic, or undefined if it is not one we act on. Doorbell wins over motion. */
export function classifyTopic(topic: string, rules: readonly TopicRule[]): TopicKind | undefined {
  const norm = normaliseTopic(topic);
  let kind: TopicKind | undefined;
  for (const rule of rules) {
    const hit = rule.suffix !== undefined ? endsWithSegments(norm, rule.suffix) : norm.split('/').some((seg) => rule.segment?.test(seg));
    if (!hit) continue;
    if (rule.kind === 'doorbell') return 'doorbell';
    kind = rule.kind;
  }
  return kind;
}

/** `true`/`false`/`1`/`0` (any case, trimmed); anything else is undefined. */
export function parseBool(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** The on/off value among a message's Data items: a known name first, else the only boolean item. */
export function messageValue(data: Record<string, string>): boolean | undefined {
  for (const name of VALUE_NAMES) {
    const v = parseBool(data[name]);
    if (v !== undefined) return v;
  }
  const bools = Object.values(data).map(parseBool).filter((v) => v !== undefined);
  return bools.length === 1 ? bools[0] : undefined;
}
