// The host's own script. How it gets its users' token is its business: here the demo server
// hands a sandbox token in host-config.js. Options: ?styles=hostile loads aggressive global CSS
// (the module must not care); ?mount=manual waits for the button before mounting; ?token=stale
// starts with a token the API refuses, as a host whose cached token has expired: the module asks
// for a fresh one with getToken({ refresh: true }).
import config from './host-config.js';
import { mount } from './extractions-brutes/extractions-brutes.js';

const params = new URLSearchParams(location.search);
if (params.get('styles') === 'hostile') {
	const link = document.createElement('link');
	link.rel = 'stylesheet';
	link.href = 'hostile.css';
	document.head.append(link);
}

const target = document.getElementById('module');
const toggle = document.getElementById('toggle');
const events = document.getElementById('events');

/** Names and counts only: the module never hands patient data to its host. */
function log(kind, task) {
	const rows = task.files.reduce((sum, f) => sum + f.rows, 0);
	const item = document.createElement('li');
	item.dataset.event = kind;
	item.dataset.task = task.id;
	item.textContent = `${kind} — ${task.zipName} — ${task.state} — ${task.files.length} fichier(s), ${rows} ligne(s)`;
	events.append(item);
}

let unmount = null;
// The host's cached token, renewed only when the module asks (after a 401).
let token = params.get('token') === 'stale' ? 'jeton-perime-de-l-hote' : config.token;
let refreshes = 0;

async function getToken(request) {
	if (request?.refresh) {
		refreshes++;
		document.body.dataset.refreshes = String(refreshes);
		token = config.token;
	}
	return token;
}

function start() {
	unmount = mount(target, {
		apiBaseUrl: config.apiBaseUrl,
		getToken,
		onTaskCreated: (task) => log('tâche créée', task),
		onTaskDone: (task) => log('tâche terminée', task),
		// A personal account cannot extract: the host offers its own account switch.
		onSwitchAccount: () => {
			const item = document.createElement('li');
			item.dataset.event = 'changement de compte';
			item.textContent = 'changement de compte demandé';
			events.append(item);
		}
	});
	toggle.textContent = 'Démonter le module';
}

async function stop() {
	const done = unmount;
	unmount = null;
	toggle.disabled = true;
	await done?.();
	toggle.disabled = false;
	toggle.textContent = 'Monter le module';
}

toggle.addEventListener('click', () => (unmount ? stop() : start()));
if (params.get('mount') === 'manual') toggle.textContent = 'Monter le module';
else start();
