// The sending window: which days and hours a message may go out, in the recipient's time zone
// when known, else the inbox's. Pure, used where slots are granted.
import type { SendWindow } from '../contract.js';
import { isTimeZone, localTime, startOfNextDay } from './time.js';

/** How far ahead a window is searched; a window closed for this long never opens. */
export const WINDOW_HORIZON_DAYS = 60;

export function windowZone(w: SendWindow, recipientTimeZone: string | null | undefined): string {
  return w.recipientTimeZone && recipientTimeZone != null && isTimeZone(recipientTimeZone) ? recipientTimeZone : w.timeZone;
}

/** The first instant at or after `t` inside the window, or null if it does not open within the horizon. */
export function nextOpen(w: SendWindow | null, t: number, recipientTimeZone?: string | null): number | null {
  if (w === null) return t;
  const zone = windowZone(w, recipientTimeZone);
  const holidays = new Set(w.holidays);
  let at = t;
  for (let i = 0; i < WINDOW_HORIZON_DAYS * 3; i++) {
    const lt = localTime(at, zone);
    const openDay = w.days.includes(lt.weekday) && !holidays.has(lt.date);
    if (openDay && lt.hour >= w.startHour && lt.hour < w.endHour) return at;
    if (openDay && lt.hour < w.startHour) {
      // Later today: jump to the opening hour (re-checked next turn in case of a DST jump).
      at += ((w.startHour - lt.hour) * 60 - lt.minute) * 60_000 - lt.second * 1000 - (at % 1000);
      continue;
    }
    at = startOfNextDay(at, zone);
    if (at - t > (WINDOW_HORIZON_DAYS + 1) * 86_400_000) return null;
  }
  return null;
}
