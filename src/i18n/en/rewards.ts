import type { Unit } from '../../api/types.js';

/** English messages of `<ucc-rewards>`. */
export const rewards = {
  rewardsTitle: 'Rewards',
  youHave: (points: string) => `You have ${points}.`,
  noRewards: 'No rewards are available right now.',
  /** How far the customer is from a reward, after the number: "40 more points". */
  morePoints: { one: 'more point', other: 'more points' } as Unit,
  limitReached: 'Redeemed as often as allowed',
  redeem: 'Redeem',
  redeemAsk: (points: string, label: string) => `Spend ${points} on ${label}?`,
  redeemYes: 'Confirm',
  cancel: 'Cancel',
  redeeming: 'Redeeming…',
  /** Refused for want of points: `points` is "40 more points". */
  needMore: (points: string) => `You need ${points} for this reward.`,
  couponReady: (label: string) => `Your coupon for ${label}:`,
  validUntil: (date: string) => `Valid until ${date}`,
  copy: 'Copy code',
  copied: 'Copied',
  /** The clipboard refused: the code is selected instead. */
  copySelected: 'The code is selected: copy it with your keyboard or menu.',
  couponsTitle: 'Your coupons',
  ACTIVE: 'Active',
  REDEEMED: 'Used',
  EXPIRED: 'Expired',
};
