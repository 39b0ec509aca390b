// Live countdowns: every element marked data-countdown (with data-due and
// data-at-risk instants from the server) is rewritten each second. Only the
// text changes, so focus and scroll stay put. Answers a stop function.

import { countdown } from '../../logic/waterfall.js';

export function startCountdowns(root) {
  const tick = () => {
    const now = new Date();
    for (const el of root.querySelectorAll('[data-countdown]')) {
      if (!el.dataset.due) continue;
      const c = countdown({ dueAt: el.dataset.due, atRiskAt: el.dataset.atRisk || null }, now);
      if (el.textContent !== c.text) el.textContent = c.text;
      el.classList.remove('on-track', 'at-risk', 'overdue');
      el.classList.add(c.phase);
    }
  };
  tick();
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
}
