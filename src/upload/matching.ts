import type { AssistanceRequest } from '../core/types.js';

export interface LatLon {
  latitude: number;
  longitude: number;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine; plenty precise at neighbourhood scale). */
export function haversineMeters(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Whether this home can answer the request at all: with a configured location, it must lie
 * inside the request's area; without one (or a request without an area) only the time window
 * decides, because the owner is the one who judges relevance.
 */
export function homeInArea(request: Pick<AssistanceRequest, 'area'>, home: LatLon | undefined): boolean {
  if (!home || !request.area) return true;
  return haversineMeters(home, request.area) <= request.area.radiusMeters;
}

export interface ClipSpan {
  id: string;
  status: string;
  startedAt: string;
  endedAt: string;
}

/** Clips whose span overlaps the window [startsAt, endsAt] (touching counts), rejected ones excluded. */
export function candidateClips(request: Pick<AssistanceRequest, 'startsAt' | 'endsAt'>, clips: readonly ClipSpan[]): string[] {
  const start = Date.parse(request.startsAt);
  const end = Date.parse(request.endsAt);
  return clips
    .filter((c) => c.status !== 'rejected' && Date.parse(c.startedAt) <= end && Date.parse(c.endedAt) >= start)
    .map((c) => c.id);
}
