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
  plusOne: (unit: string) => `+١ ${unit}`,
  quantity: (unit: string) => `الكمية (${unit})`,
  when: 'متى',
  now: 'الآن',
  earlier: 'في وقت سابق اليوم',
  yesterday: 'أمس',
  log: 'تسجيل',
  undo: 'التراجع عن آخر إدخال',
  logged: (qty: string, progress: string) => `تم تسجيل ${qty}. ${progress}.`,
  queued: (qty: string) => `أنت غير متصل بالإنترنت. سنرسل ${qty} عند عودة الاتصال.`,
  undone: 'تم التراجع عن آخر إدخال.',
  goalReached: 'لقد بلغت هدفك!',
  rewardEarned: (points: string) => `لقد ربحت ${points}!`,
  pending: (n: string, count: number) => ({
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
  // progress
  progressTitle: 'تحدياتي',
  noChallenges: 'لا توجد تحديات بعد.',
  streak: (current: string, best: string, required: string) => `السلسلة: ${current} من ${required}، وأفضل سلسلة: ${best}`,
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
} satisfies Messages;
