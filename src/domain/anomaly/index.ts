export * from './detector.ts';
export * from './unit-cost.ts';
export * from './intraday.ts';
export * from './contributors.ts';
export * from './csv.ts';
export { addDays, weekdayOf, isIsoDate } from '../calendar.ts';
