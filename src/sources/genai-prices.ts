import { createRequire } from 'node:module';

type GenaiPrices = typeof import('@pydantic/genai-prices');

let loaded: GenaiPrices | undefined;

/**
 * The `@pydantic/genai-prices` table, loaded the first time something is priced: loading it costs about
 * 0.1 s of CPU, which a command that prices nothing (`aicost ask "top teams"`) should not pay. The price
 * ports are synchronous, so it is loaded with `require` (the package ships a CommonJS build beside its
 * ES module; both hold the same table).
 */
export function genaiPrices(): GenaiPrices {
  loaded ??= createRequire(import.meta.url)('@pydantic/genai-prices') as GenaiPrices;
  return loaded;
}
