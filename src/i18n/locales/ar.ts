import type { Messages } from '../index.js';

/**
 * Arabic (Modern Standard). Units carry all six CLDR plural forms; `Localizer.qty` writes the number
 * before the form. Sentences that count something pick their form with `Intl.PluralRules`.
 */
const plural = (count: number) => new Intl.PluralRules('ar').select(count);

export default {
  // core
  noProvider: 'يجب وضع هذه الأداة داخل <ucc-provider>. يُرجى مطالبة مسؤول الموقع بالتحقق من الإعداد.',
  loading: 'جارٍ التحميل…',
  signedOut: 'سجّل الدخول للمشاركة في التحديات.',
  retry: 'إعادة المحاولة',
  offline: 'تعذّر الوصول إلى الخدمة. تحقّق من اتصالك وحاول مرة أخرى.',
  sessionEnded: 'انتهت جلستك. يُرجى تسجيل الدخول مرة أخرى.',
  failed: 'حدث خطأ من جهتنا. يُرجى المحاولة بعد قليل.',
  day: { zero: 'أيام', one: 'يوم', two: 'يومان', few: 'أيام', many: 'يومًا', other: 'يوم' },
  week: { zero: 'أسابيع', one: 'أسبوع', two: 'أسبوعان', few: 'أسابيع', many: 'أسبوعًا', other: 'أسبوع' },
  points: { zero: 'نقاط', one: 'نقطة', two: 'نقطتان', few: 'نقاط', many: 'نقطةً', other: 'نقطة' },
  notFound: 'لم يتم العثور على هذا التحدي.',
  ofTarget: (value: string, target: string) => `${value} من ${target}`,
  // create-challenge
  createTitle: 'إنشاء تحدٍّ جديد',
  noTemplates: 'لا تتوفر تحديات في الوقت الحالي.',
  activity: 'النشاط',
  target: (unit: string) => `الهدف لكل فترة (${unit})`,
  period: 'الفترة',
  DAILY: 'كل يوم',
  WEEKLY: 'كل أسبوع',
  length: (unit: string) => `المدة (${unit})`,
  name: 'الاسم (اختياري)',
  between: (min: string, max: string) => `أدخل رقمًا من ${min} إلى ${max}.`,
  step: (step: string) => `استخدم مضاعفات ${step}.`,
  nameTooLong: (max: string) => `الحد الأقصى لعدد الأحرف: ${max}.`,
  rewardPreview: (goal: string, period: string, length: string, points: string) =>
    `${goal} ${period} لمدة ${length}: اربح ${points}.`,
  create: 'إنشاء التحدي',
  creating: 'جارٍ الإنشاء…',
  created: (name: string) => `تم إنشاء التحدي «${name}».`,
  // log-activity
  logTitle: 'تسجيل نشاط',
  challenge: 'التحدي',
  noActive: 'لا توجد تحديات نشطة بعد. أنشئ تحديًا لتبدأ التسجيل.',
  plusOne: (one: string, unit: string) => `+${one} ${unit}`,
  quantity: (unit: string) => `الكمية (${unit})`,
  when: 'متى',
  now: 'الآن',
  earlier: 'في وقت سابق اليوم',
  yesterday: 'أمس',
  log: 'تسجيل',
  undo: 'التراجع عن آخر إدخال',
  logged: (qty: string, progress: string) => `تم تسجيل ${qty}. ${progress}.`,
  queued: (qty: string) => `تم حفظ ${qty} على هذا الجهاز.`,
  youOffline: 'أنت غير متصل بالإنترنت.',
  unreachable: 'تعذّر الوصول إلى الخدمة الآن. إدخالاتك محفوظة وسيتم إرسالها.',
  signInAgain: (n: string, count: number) =>
    ({
      zero: 'سجّل الدخول مجددًا لإرسال الإدخالات المحفوظة',
      one: 'سجّل الدخول مجددًا لإرسال إدخال محفوظ واحد',
      two: 'سجّل الدخول مجددًا لإرسال إدخالين محفوظين',
      few: `سجّل الدخول مجددًا لإرسال ${n} إدخالات محفوظة`,
      many: `سجّل الدخول مجددًا لإرسال ${n} إدخالًا محفوظًا`,
      other: `سجّل الدخول مجددًا لإرسال ${n} إدخال محفوظ`,
    })[plural(count)],
  notSaved: (qty: string, time: string, message: string) => `لم يُحفظ: ${qty} في ${time} — ${message}`,
  dismiss: 'إغلاق',
  undone: 'تم التراجع عن آخر إدخال.',
  goalReached: 'لقد بلغت هدفك!',
  rewardEarned: (points: string) => `لقد ربحت ${points}!`,
  pending: (n: string, count: number) =>
    ({
      zero: 'لا توجد إدخالات بانتظار الإرسال',
      one: 'إدخال واحد بانتظار الإرسال',
      two: 'إدخالان بانتظار الإرسال',
      few: `${n} إدخالات بانتظار الإرسال`,
      many: `${n} إدخالًا بانتظار الإرسال`,
      other: `${n} إدخال بانتظار الإرسال`,
    })[plural(count)],
  // points
  pointsTitle: 'نقاطي',
  balance: (points: string) => `الرصيد: ${points}`,
  noEntries: 'لا توجد نقاط بعد. أكمل تحديًا لتربح نقاطًا.',
  ledger: 'أحدث النقاط',
  more: 'عرض المزيد',
  // progress
  progressTitle: 'تحدياتي',
  noChallenges: 'لا توجد تحديات بعد.',
  streak: (current: string, best: string, required: string) =>
    `السلسلة: ${current} من ${required}، وأفضل سلسلة: ${best}`,
  promised: (points: string) => `${points} عند الإكمال`,
  earned: (points: string) => `ربحت ${points}`,
  completed: 'مكتمل',
  ended: 'منتهٍ',
  left: (n: string) => `المتبقي: ${n}`,
  met: 'تحقق',
  missed: 'لم يتحقق',
  current: 'جارٍ',
  ahead: 'قادم',
  calendar: 'تقويم السلسلة',
  leave: 'مغادرة التحدي',
  leaveAsk: (name: string) => `هل تريد مغادرة «${name}»؟ سيضيع تقدمك.`,
  leaveYes: 'مغادرة',
  hasLeft: 'غادرت',
  keep: 'البقاء',
  nothingLogged: 'لا توجد تسجيلات.',
  wasUndone: '(تم التراجع)',
} satisfies Messages;
