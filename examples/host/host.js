// The host's own script. How it gets its users' token is its business: here the demo server
// hands a sandbox token in host-config.js. Options: ?styles=hostile loads aggressive global CSS
// (the module must not care); ?mount=manual waits for the button before mounting.
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

function start() {
	unmount = mount(target, {
		apiBaseUrl: config.apiBaseUrl,
		getToken: async () => config.token,
		onTaskCreated: (task) => log('tâche créée', task),
		onTaskDone: (task) => log('tâche terminée', task)
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
