import type { Messages } from '../index.js';

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
// French typography: a narrow no-break space before « : ! ? » and inside guillemets.
const nb = '\u202f';

/** French (vous). */
export default {
  // core
  noProvider:
    'Ce widget doit être placé dans <ucc-provider>. Demandez au responsable du site de vérifier l’intégration.',
  loading: 'Chargement…',
  signedOut: 'Connectez-vous pour participer aux défis.',
  retry: 'Réessayer',
  offline: 'Impossible de joindre le service. Vérifiez votre connexion et réessayez.',
  sessionEnded: 'Votre session a expiré. Veuillez vous reconnecter.',
  failed: 'Un problème est survenu de notre côté. Réessayez dans un instant.',
  day: { one: 'jour', many: 'de jours', other: 'jours' },
  week: { one: 'semaine', many: 'de semaines', other: 'semaines' },
  points: { one: 'point', many: 'de points', other: 'points' },
  stale: 'Voici les dernières informations connues, en attendant le retour du service de récompenses.',
  notFound: 'Ce défi est introuvable.',
  ofTarget: (value: string, target: string) => `${value} sur ${target}`,
  // create-challenge
  createTitle: 'Créer un défi',
  noTemplates: 'Aucun défi n’est disponible pour le moment.',
  activity: 'Activité',
  target: (unit: string) => `Objectif par période (${unit})`,
  period: 'Période',
  DAILY: 'Chaque jour',
  WEEKLY: 'Chaque semaine',
  length: (unit: string) => `Durée (${unit})`,
  name: 'Nom (facultatif)',
  between: (min: string, max: string) => `Saisissez un nombre entre ${min} et ${max}.`,
  step: (step: string) => `Utilisez des multiples de ${step}.`,
  nameTooLong: (max: string) => `${max} caractères maximum.`,
  rewardPreview: (goal: string, period: string, length: string, points: string) =>
    `${goal} ${lower(period)} pendant ${length}${nb}: gagnez ${points}.`,
  create: 'Créer le défi',
  creating: 'Création…',
  created: (name: string) => `Défi «${nb}${name}${nb}» créé.`,
  // log-activity
  logTitle: 'Enregistrer une activité',
  challenge: 'Défi',
  noActive: 'Aucun défi en cours. Créez-en un pour commencer.',
  plusOne: (one: string, unit: string) => `+${one} ${unit}`,
  quantity: (unit: string) => `Quantité (${unit})`,
  when: 'Quand',
  now: 'Maintenant',
  earlier: 'Plus tôt aujourd’hui',
  yesterday: 'Hier',
  log: 'Enregistrer',
  undo: 'Annuler la dernière saisie',
  logged: (qty: string, progress: string) => `Enregistré${nb}: ${qty}. ${progress}.`,
  queued: (qty: string) => `${qty} enregistré sur cet appareil.`,
  youOffline: 'Vous êtes hors ligne.',
  unreachable:
    'Nous ne parvenons pas à joindre le service pour le moment. Vos saisies sont enregistrées et seront envoyées.',
  signInAgain: (n: string, count: number) =>
    count < 2
      ? `Reconnectez-vous pour envoyer ${n} saisie enregistrée`
      : `Reconnectez-vous pour envoyer ${n} saisies enregistrées`,
  notSaved: (qty: string, time: string, message: string) => `Non enregistré : ${qty} à ${time} — ${message}`,
  dismiss: 'Fermer',
  undone: 'Dernière saisie annulée.',
  goalReached: `Objectif atteint${nb}!`,
  rewardEarned: (points: string) => `Vous avez gagné ${points}${nb}!`,
  sendingOn: 'Enregistré — cela arrivera sur votre compte de récompenses dans un instant.',
  // French "one" covers 0 and 1.
  pending: (n: string, count: number) =>
    count < 2 ? `${n} saisie en attente d’envoi` : `${n} saisies en attente d’envoi`,
  // points
  pointsTitle: 'Mes points',
  balance: (points: string) => `Solde${nb}: ${points}`,
  noEntries: 'Pas encore de points. Terminez un défi pour en gagner.',
  ledger: 'Points récents',
  more: 'Afficher plus',
  // progress
  progressTitle: 'Mes défis',
  noChallenges: 'Aucun défi pour l’instant.',
  streak: (current: string, best: string, required: string) =>
    `Série${nb}: ${current} sur ${required}, record${nb}: ${best}`,
  promised: (points: string) => `À gagner${nb}: ${points}`,
  earned: (points: string) => `Gagné${nb}: ${points}`,
  completed: 'Réussi',
  ended: 'Terminé',
  left: (n: string) => `Il reste ${n}`,
  met: 'réussi',
  missed: 'manqué',
  current: 'en cours',
  ahead: 'à venir',
  calendar: 'Calendrier de la série',
  leave: 'Quitter le défi',
  leaveAsk: (name: string) => `Quitter « ${name} » ? Votre progression sera perdue.`,
  leaveYes: 'Quitter',
  hasLeft: 'Abandonné',
  keep: 'Continuer',
  nothingLogged: 'Rien d’enregistré.',
  wasUndone: '(annulé)',
  // rewards
  rewardsTitle: 'Récompenses',
  youHave: (points: string) => `Vous avez ${points}.`,
  noRewards: 'Aucune récompense n’est disponible pour le moment.',
  morePoints: { one: 'point de plus', many: 'de points de plus', other: 'points de plus' },
  limitReached: 'Déjà échangée autant de fois que permis',
  redeem: 'Échanger',
  redeemAsk: (points: string, label: string) => `Dépenser ${points} pour ${label}${nb}?`,
  redeemYes: 'Confirmer',
  cancel: 'Annuler',
  redeeming: 'Échange en cours…',
  needMore: (points: string) => `Il vous manque ${points} pour cette récompense.`,
  couponReady: (label: string) => `Votre bon pour ${label}${nb}:`,
  validUntil: (date: string) => `Valable jusqu’au ${date}`,
  copy: 'Copier le code',
  copied: 'Copié',
  copySelected: `Le code est sélectionné${nb}: copiez-le avec le clavier ou le menu.`,
  couponsTitle: 'Vos bons',
  ACTIVE: 'Valable',
  REDEEMED: 'Utilisé',
  EXPIRED: 'Expiré',
} satisfies Messages;
