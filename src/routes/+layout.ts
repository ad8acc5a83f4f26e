// The app runs entirely in the browser: no server rendering, one static shell.
export const ssr = false;
export const prerender = true;
