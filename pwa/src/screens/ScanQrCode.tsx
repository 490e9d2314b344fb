import { useEffect, useRef, useState } from 'preact/hooks';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorConstructor = new (options: { formats: string[] }) => BarcodeDetectorLike;

function detectorClass(): BarcodeDetectorConstructor | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;
}

/** Scanning needs the Barcode Detection API and a camera; elsewhere the user pastes the link. */
export function canScanQrCodes(): boolean {
  return !!detectorClass() && !!navigator.mediaDevices?.getUserMedia;
}

/** The camera, looking for the enrollment QR code from My Sign-ins. */
export function ScanQrCode({ onCode, onClose }: { onCode: (value: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    const Detector = detectorClass();
    if (!Detector) return;
    let stream: MediaStream | undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const detector = new Detector({ formats: ['qr_code'] });
    const look = async () => {
      if (stopped || !video.current) return;
      try {
        const [found] = await detector.detect(video.current);
        if (found?.rawValue && !stopped) return onCode(found.rawValue);
      } catch {
        // The frame was not ready yet.
      }
      timer = setTimeout(look, 250);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (media) => {
        stream = media;
        if (stopped || !video.current) return;
        video.current.srcObject = media;
        await video.current.play();
        void look();
      })
      .catch(() => setError("Nod can't use the camera. Paste the link instead."));
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);
  return (
    <div class="scanner">
      <video ref={video} muted playsInline aria-label="Camera view for the QR code" />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="button" onClick={onClose}>
        Stop scanning
      </button>
    </div>
  );
}
