// The plain pages (logout, errors) use the stylesheet only; they run no script.
import '../../shared/styles/pages.css';
