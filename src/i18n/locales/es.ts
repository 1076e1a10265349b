import type { Messages } from '../index.js';

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Spanish (tú, neutral between Spain and Latin America). */
export default {
  // core
  noProvider:
    'Este widget debe ir dentro de <ucc-provider>. Pide al responsable del sitio que revise la configuración.',
  loading: 'Cargando…',
  signedOut: 'Inicia sesión para participar en los retos.',
  retry: 'Reintentar',
  offline: 'No podemos conectar con el servicio. Comprueba tu conexión e inténtalo de nuevo.',
  sessionEnded: 'Tu sesión ha terminado. Vuelve a iniciar sesión.',
  failed: 'Algo ha fallado por nuestra parte. Inténtalo de nuevo en un momento.',
  day: { one: 'día', many: 'de días', other: 'días' },
  week: { one: 'semana', many: 'de semanas', other: 'semanas' },
  points: { one: 'punto', many: 'de puntos', other: 'puntos' },
  stale: 'Mostramos lo último que sabíamos hasta que vuelva el servicio de recompensas.',
  notFound: 'No encontramos este reto.',
  ofTarget: (value: string, target: string) => `${value} de ${target}`,
  // create-challenge
  createTitle: 'Crea un reto',
  noTemplates: 'Ahora mismo no hay retos disponibles.',
  activity: 'Actividad',
  target: (unit: string) => `Meta por periodo (${unit})`,
  period: 'Periodo',
  DAILY: 'Cada día',
  WEEKLY: 'Cada semana',
  length: (unit: string) => `Duración (${unit})`,
  name: 'Nombre (opcional)',
  between: (min: string, max: string) => `Introduce un número entre ${min} y ${max}.`,
  step: (step: string) => `Usa incrementos de ${step}.`,
  nameTooLong: (max: string) => `Usa como máximo ${max} caracteres.`,
  rewardPreview: (goal: string, period: string, length: string, points: string) =>
    `${goal} ${lower(period)} durante ${length}: gana ${points}.`,
  create: 'Crear reto',
  creating: 'Creando…',
  created: (name: string) => `Reto «${name}» creado.`,
  // log-activity
  logTitle: 'Registrar actividad',
  challenge: 'Reto',
  noActive: 'Aún no tienes retos activos. Crea uno para empezar a registrar.',
  plusOne: (one: string, unit: string) => `+${one} ${unit}`,
  quantity: (unit: string) => `Cantidad (${unit})`,
  when: 'Cuándo',
  now: 'Ahora',
  earlier: 'Hoy, más temprano',
  yesterday: 'Ayer',
  log: 'Registrar',
  undo: 'Deshacer el último registro',
  logged: (qty: string, progress: string) => `Registrado: ${qty}. ${progress}.`,
  queued: (qty: string) => `${qty} guardado en este dispositivo.`,
  youOffline: 'Estás sin conexión.',
  unreachable: 'No podemos conectar con el servicio ahora mismo. Tus registros están guardados y se enviarán.',
  signInAgain: (n: string, count: number) =>
    count === 1
      ? `Vuelve a iniciar sesión para enviar ${n} registro guardado`
      : `Vuelve a iniciar sesión para enviar ${n} registros guardados`,
  notSaved: (qty: string, time: string, message: string) => `No guardado: ${qty} a las ${time} — ${message}`,
  dismiss: 'Descartar',
  undone: 'Último registro deshecho.',
  goalReached: '¡Meta cumplida!',
  rewardEarned: (points: string) => `¡Has ganado ${points}!`,
  sendingOn: 'Guardado: llegará a tu cuenta de recompensas en un momento.',
  pending: (n: string, count: number) =>
    count === 1 ? `${n} registro pendiente de envío` : `${n} registros pendientes de envío`,
  // points
  pointsTitle: 'Mis puntos',
  balance: (points: string) => `Saldo: ${points}`,
  noEntries: 'Aún no tienes puntos. Completa un reto para conseguirlos.',
  ledger: 'Puntos recientes',
  more: 'Ver más',
  // progress
  progressTitle: 'Mis retos',
  noChallenges: 'Aún no tienes retos.',
  streak: (current: string, best: string, required: string) =>
    `Racha: ${current} de ${required}; tu mejor racha: ${best}`,
  promised: (points: string) => `${points} al completarlo`,
  earned: (points: string) => `Has ganado ${points}`,
  completed: 'Completado',
  ended: 'Finalizado',
  left: (n: string) => `Tiempo restante: ${n}`,
  met: 'cumplido',
  missed: 'no cumplido',
  current: 'en curso',
  ahead: 'por venir',
  calendar: 'Calendario de la racha',
  leave: 'Abandonar el reto',
  leaveAsk: (name: string) => `¿Abandonar «${name}»? Perderás tu progreso.`,
  leaveYes: 'Abandonar',
  hasLeft: 'Abandonado',
  keep: 'Seguir',
  nothingLogged: 'No hay registros.',
  wasUndone: '(deshecho)',
} satisfies Messages;
