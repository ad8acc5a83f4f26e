/**
 * Names the user guide (../shared/guide-extractions-brutes.txt) gives, written here from the guide
 * and not imported from the sandbox's generator: the tests check the generator against them.
 */

/** The thematics, in the guide's order. */
export const GUIDE_THEMATICS = [
	'Données sociales',
	'Recueil de données Médicales',
	'TSLA',
	'Vie quotidienne',
	'Demande - Réponse',
	'Plateforme TND',
	'DSPP Enfant'
];

/** The forms of the Plateforme TND thematic, in the guide's order. */
export const PLATEFORME_TND_FORMS = [
	'Prolongation - Ergothérapie TND',
	'Prolongation - Psychologie TND',
	'Prolongation - Psychomotricité TND',
	'Entrée Parcours TND',
	'Accompagnement - Psychomotricité TND',
	'Accompagnement - Ergothérapie TND',
	'Prolongation Parcours TND',
	'Diagnostic et Sortie - Parcours TND',
	'Accompagnement - Psychologie TND',
	'Parcours de soins TND'
];
