// Short notices in the page's one toast region (#toast): a new one replaces the one shown.
const region = document.getElementById('toast');
let hideTimer;

export function toast(message, kind = 'info') {
  clearTimeout(hideTimer);
  region.className = `toast toast-${kind} toast-visible`;
  region.textContent = message;
  hideTimer = setTimeout(() => region.classList.remove('toast-visible'), 6000);
}
