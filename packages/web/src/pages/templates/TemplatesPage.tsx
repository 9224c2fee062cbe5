import { PageHeader } from '../../components/PageHeader.tsx';

export default function TemplatesPage() {
  return <PageHeader title="TemplatesPage" description="Not built yet" />;
}
