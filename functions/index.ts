// The app's entry point (package.json `main`): telemetry first, then every function file.
import './telemetry';
import './catalog';
import './customer-emails';
import './dispute-activities';
import './dispute-saga';
import './disputes';
import './health';
import './invoices';
import './openapi';
import './orders';
import './order-saga';
import './refund-saga';
import './refunds';
import './saga-activities';
import './saga-entities';
import './webhooks';
