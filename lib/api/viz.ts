/** `dqn.viz`: charts, tables and the live training display. */
export { showChart, showEpisode, showTable, showMessage, liveTraining, lessonLine, statusLine, pyFixed, inNotebook } from "../viz/notebook";
export type { LiveTraining, LiveTrainingOptions, FinishInfo } from "../viz/notebook";
export { evaluationFigure, learningCurveFigure, diagnosticsFigure, compareFigure, episodeAnimationFigure, figureToSvg, acrossRuns, armPositions, PALETTE } from "../viz/figures";
export type { EvaluationPoint, LearningCurveOptions, CompareGroup, CompareOptions, BandKind, AfterEnd, AcrossRuns, EpisodeAnimationOptions, SvgSize } from "../viz/figures";
export { chartHtml, plotlyBundleScript, reportHtml, tableHtml, escapeHtml, svgDataUri } from "../viz/html";
export type { ChartHtmlOptions, ReportSection, ReportOptions, TableOptions, Cell } from "../viz/html";
export { lineChartSvg, acrobotFrameSvg, niceTicks, escapeXml } from "../viz/svg-chart";
export type { LineChartSpec, SvgLine, SvgBand, SvgRefLine, ArmPositions, AcrobotFrameOptions, Dash } from "../viz/svg-chart";
export type { PlotlyFigure, PlotlyLayout, PlotlyFrame, ScatterTrace } from "../viz/plotly-types";
