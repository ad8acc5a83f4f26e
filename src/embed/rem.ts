/** Build-time helper of vite.embed.config.ts (no DOM): the module's CSS without the host's rem. */

/**
 * `rem` is the host page's root font size: a host with `html { font-size: 62.5% }` would shrink
 * the module. In declarations (not in `@media` preludes, where rem is the browser's default
 * size anyway) `Nrem` becomes `calc(N * var(--eb-rem))`, `--eb-rem` being the browser's default
 * font size, measured on the module's own root (src/embed/EmbeddedApp.svelte).
 */
export function hostIndependentRem(css: string): string {
	// A chunk before `{` is a selector or an at-rule prelude; a chunk before `}` is declarations.
	return css.replace(/([^{}]*)([{}]|$)/g, (_all, chunk: string, end: string) =>
		end === '}'
			? chunk.replace(
					/(^|[^\w.-])(-?(?:\d+\.?\d*|\.\d+))rem\b/g,
					(_m, before: string, n: string) => `${before}calc(${n} * var(--eb-rem))`
				) + end
			: chunk + end
	);
}
