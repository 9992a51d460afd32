import 'uplot/dist/uPlot.min.css';
import './styles.css';
import './components.css';
import { render } from 'preact';
import { App } from './app.tsx';
import { readPageConfig } from './config.ts';

render(<App config={readPageConfig()} />, document.getElementById('app')!);
