// Excel serial numbers computed from the calendar parts, never through a JS Date: a Date at local
// midnight shifts the day when read back in UTC, and Paris' 1899 offset is not a whole minute.
import { dayNumberAtStart, daysFromCivil, daysInMonth, digits2 } from '../calendar';

/** Days from 1899-12-30 to 1970-01-01. */
const EPOCH_1970 = 25569;
/** 1899-12-30 is serial 0; Excel counts a fake 1900-02-29 (serial 60), so earlier days shift. */
const FAKE_LEAP_DAY = 60;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/** Day number of 1900-01-01, the first day Excel shows. */
const DAY_1900 = -25_567;

/** Serial of the day at the start of `YYYY-MM-DD…`, or undefined (checked by hand: hot path). */
function daySerial(s: string): number | undefined {
	const n = dayNumberAtStart(s);
	if (Number.isNaN(n) || n < DAY_1900) return undefined;
	const serial = n + EPOCH_1970;
	// Before 1900-03-01 Excel's serials are one less than the true day count.
	return serial <= FAKE_LEAP_DAY ? serial - 1 : serial;
}

/**
 * Excel serial of `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm[:ss]` (wall time, no offset), or undefined
 * when the text is not a valid date or falls outside what Excel shows (1900-01-01..9999-12-31).
 */
export function excelSerial(text: string): number | undefined {
	const n = text.length;
	if (n === 10) return daySerial(text);
	// The shapes the datasets write, parsed by hand; anything else goes through the pattern.
	if ((n === 16 || n === 19) && text.charCodeAt(10) === 84 && text.charCodeAt(13) === 58) {
		const serial = daySerial(text);
		const h = digits2(text, 11);
		const min = digits2(text, 14);
		let sec = 0;
		if (n === 19) {
			if (text.charCodeAt(16) !== 58) return undefined;
			sec = digits2(text, 17);
		}
		if (serial === undefined || h < 0 || h > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) {
			return undefined;
		}
		return serial + (h * 3600 + min * 60 + sec) / 86400;
	}
	return excelSerialSlow(text);
}

function excelSerialSlow(text: string): number | undefined {
	const m = DATE_RE.exec(text);
	if (!m) return undefined;
	const year = Number(m[1]);
	const month = Number(m[2]);
	const day = Number(m[3]);
	if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
		return undefined;
	}
	let serial = daysFromCivil(year, month, day) + EPOCH_1970;
	if (serial <= FAKE_LEAP_DAY) serial -= 1;
	if (m[4] === undefined) return serial;
	const h = Number(m[4]);
	const min = Number(m[5]);
	const s = m[6] === undefined ? 0 : Number(m[6]);
	if (h > 23 || min > 59 || s > 59) return undefined;
	return serial + (h * 3600 + min * 60 + s) / 86400;
}
