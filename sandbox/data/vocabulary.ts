// The words of the synthetic data (a data table): names, places, services, comments.

export const NOMS = [
	'Martin',
	'Bernard',
	'Lefèvre',
	'Dubois',
	'Lemaître',
	'Girard',
	'Bénard',
	'Rousseau',
	'Fournier',
	'Chevalier',
	'Gérard',
	'Müller',
	'Garnier',
	'Faure',
	'Mercier',
	'Blanc',
	'Guérin',
	'Boyer',
	'Hervé',
	'Le Goff',
	'Perrin',
	'Morel',
	'Nguyen',
	'Benali',
	'Da Silva',
	'Côté',
	'Pâris',
	'Brûlé',
	'Leroy',
	'Roux',
	'Lambert',
	'Bonnet',
	'François',
	'Gauthier',
	'Renaud',
	'Joly',
	'Aubert'
] as const;
export const PRENOMS = [
	'Léa',
	'Zoé',
	'Chloé',
	'Inès',
	'Maël',
	'Noé',
	'Éléonore',
	'Anaïs',
	'Hélène',
	'Jérôme',
	'Gaëlle',
	'Loïc',
	'Cécile',
	'Raphaël',
	'Océane',
	'Théo',
	'Lucas',
	'Emma',
	'Jules',
	'Louise',
	'Hugo',
	'Manon',
	'Nathan',
	'Camille',
	'Yanis',
	'Aïcha',
	'Éloïse',
	'Timothée',
	'Agathe',
	'Célestin'
] as const;
export const COMMUNES = [
	['44000', 'Nantes'],
	['44600', 'Saint-Nazaire'],
	['49000', 'Angers'],
	['85000', 'La Roche-sur-Yon'],
	['44300', 'Nantes'],
	['49300', 'Cholet'],
	['53000', 'Laval'],
	['72000', 'Le Mans'],
	['44500', 'La Baule-Escoublac'],
	['44119', 'Grandchamp-des-Fontaines']
] as const;
export const RUES = [
	'rue de la République',
	'boulevard Guist’hau',
	'allée des Tilleuls',
	'rue du Général-de-Gaulle',
	'impasse des Genêts',
	'quai de la Fosse',
	'place Graslin',
	'chemin des Écoliers'
] as const;
export const MEDECINS = [
	'Dr Hélène Roux',
	'Dr Karim Benali',
	'Dr Anne Le Goff',
	'Dr Paul Mercier'
] as const;
export const RDV_TYPES = [
	'Consultation',
	'Bilan',
	'Séance',
	'Téléconsultation',
	'Réunion de synthèse'
] as const;
export const RDV_MOTIFS = [
	'Bilan psychomoteur',
	'Bilan ergothérapique',
	'Évaluation neuropsychologique',
	'Séance de psychomotricité',
	'Entretien avec la famille',
	'Synthèse pluridisciplinaire',
	'Renouvellement forfait précoce'
] as const;
export const LIEUX = [
	'Cabinet libéral',
	'Plateforme TND – Nantes',
	'Domicile',
	'École',
	'Visio'
] as const;
export const PROFESSIONNELS = [
	'Mme Julie Perrin (psychomotricienne)',
	'M. Éric Faure (ergothérapeute)',
	'Mme Sarah Guérin (psychologue)',
	'Dr Anne Le Goff (pédiatre)',
	'Mme Nadia Benali (orthophoniste)'
] as const;
export const ETABLISSEMENTS = [
	'CHU de Nantes',
	'Hôpital Necker-Enfants malades',
	'CH de Saint-Nazaire',
	'CHU d’Angers',
	'Clinique Jules-Verne'
] as const;
export const SERVICES = [
	'Pédiatrie',
	'Neuropédiatrie',
	'Pédopsychiatrie',
	'Chirurgie pédiatrique',
	'Urgences'
] as const;
export const SEJOUR_MOTIFS = [
	'Bilan neurologique',
	'Crise d’épilepsie',
	'Fracture',
	'Bilan génétique',
	'Bronchiolite'
] as const;
export const SPECIALITES = [
	['Pédiatre', 'Médecin traitant'],
	['Psychomotricien(ne)', 'Intervenant'],
	['Ergothérapeute', 'Intervenant'],
	['Psychologue', 'Intervenant'],
	['Orthophoniste', 'Intervenant'],
	['Neuropédiatre', 'Médecin spécialiste'],
	['Médecin généraliste', 'Médecin traitant'],
	['Coordinatrice de parcours', 'Référent parcours']
] as const;
export const EXTERNES = [
	'CAMSP de Nantes',
	'CMP Enfants Angers',
	'SESSAD Les Lucioles',
	'Centre de ressources autisme'
] as const;
export const AIDANTS = [
	['Mère', 'Proche aidant'],
	['Père', 'Proche aidant'],
	['Grand-mère', 'Personne de confiance']
] as const;
export const COMMENTAIRES = [
	'RAS.',
	'Famille très investie ; à revoir dans 3 mois.',
	'Annulé par la famille (enfant malade).',
	'- suivi hebdomadaire à poursuivre',
	'Compte rendu envoyé au médecin traitant.',
	'Besoin d’un interprète (arabe).',
	'Transport assuré par le taxi conventionné.'
] as const;
export const AUTEURS = [
	'Alice Martin',
	'Julie Perrin',
	'Sarah Guérin',
	'Éric Faure',
	'Dr Anne Le Goff'
] as const;

export const TEXT_VALUES = [
	'Bonne évolution.',
	'À revoir avec l’équipe.',
	'=1+1',
	'- ne pas relancer avant septembre',
	'Famille d’accueil informée ; accord écrit.',
	'+ séance supplémentaire accordée'
] as const;
