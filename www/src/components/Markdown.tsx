// Markdown (a DAG's doc_md) rendered to React elements; raw HTML in the
// source is not rendered, so a DAG file cannot inject markup.
import ReactMarkdown from "react-markdown";

export default function Markdown({ text }: { text: string }) {
  return <ReactMarkdown skipHtml>{text}</ReactMarkdown>;
}
